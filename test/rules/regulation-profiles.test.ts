/**
 * The two shipped regulation profiles: the 2024 draft (the default) and State Council Decree No. 799
 * (the law in force). One row per rule and finding code, with the article each text gives it; the
 * decision rules run under both and cite the profile in force.
 */
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { type DecisionFacts, decide } from '../../src/rules/access-rules.js';
import { FINDING_CODES, parseRegulationProfile, RULE_CODES } from '../../src/rules/regulation-profile.js';

const draft = parseRegulationProfile(await readFile('policies/regulation.yaml', 'utf8'));
const decree = parseRegulationProfile(await readFile('policies/regulation-decree-799.yaml', 'utf8'));

/** code → [draft article, decree article] (the decree's from docs/profiles.md's map). */
const ARTICLES: Readonly<Record<string, readonly [string, string]>> = {
  ROLE_NOT_PERMITTED: ['23(2)', '16(2)(2)'],
  GRANT_NOT_VALID: ['24', '20'],
  NOT_REGISTERED_PERSONNEL: ['23(1)', '16(2)(1)'],
  TRAINING_LAPSED: ['23(1)', '16(2)(1)'],
  NO_CONFIDENTIALITY_UNDERTAKING: ['23(1)', '16(2)(1)'],
  REASON_REQUIRED: ['23(3)', '16(2)(3)'],
  PURPOSE_NOT_PERMITTED: ['16', '16(1)'],
  OUTSIDE_RETENTION: ['16', '17'],
  PROHIBITED_LOCATION: ['11', '8'],
  SITE_CONSENT_MISSING: ['13', '10'],
  FILING_OVERDUE: ['17', '14'],
  MAINTENANCE_LIVE_ONLY: ['22', '19'],
  MASK_SENSITIVE_INFORMATION: ['26', '22'],
  REGISTER_TRANSFER: ['23(3)', '16(2)(3)'],
  FILING_MISSING: ['17', '14'],
  REFILING_DUE: ['17', '14'],
  NO_SIGNAGE: ['15', '13'],
  TRANSFER_NOT_REGISTERED: ['23(3)', '16(2)(3)'],
  TRANSFER_HASH_MISMATCH: ['23(3)', '15(1)'],
  FOOTAGE_DELETED_UNDER_HOLD: ['16', '17'],
  FOOTAGE_DELETED_EARLY: ['16', '17'],
  DELETION_NOT_REPORTED: ['16', '17'],
  GRANT_USED_AFTER_EXPIRY: ['24', '20'],
  FOOTAGE_SERVED_WITHOUT_DECISION: ['23(3)', '16(2)(3)'],
  FOOTAGE_SERVED_OUTSIDE_DECISION: ['23(3)', '16(2)(3)'],
  SESSION_UNRECONCILED: ['23(3)', '16(2)(3)'],
};

t.test('every code the service can emit has its article in both texts', async (t) => {
  t.same(Object.keys(ARTICLES).sort(), [...RULE_CODES, ...FINDING_CODES].sort(), 'the table covers every code');
  t.equal(draft.name, 'public-video-2024-draft');
  t.equal(decree.name, 'decree-799-2025');
  for (const code of RULE_CODES) {
    const [inDraft, inDecree] = ARTICLES[code] as readonly [string, string];
    t.equal(draft.rules[code].article, inDraft, `${code}: draft ${inDraft}`);
    t.equal(decree.rules[code].article, inDecree, `${code}: decree ${inDecree}`);
    t.equal(decree.rules[code].effect, draft.rules[code].effect, `${code}: the same effect`);
  }
  for (const code of FINDING_CODES) {
    const [inDraft, inDecree] = ARTICLES[code] as readonly [string, string];
    t.equal(draft.findings[code].article, inDraft, `${code}: draft ${inDraft}`);
    t.equal(decree.findings[code].article, inDecree, `${code}: decree ${inDecree}`);
  }
  t.ok(decree.prohibitedLocationClasses.has('private_room') && decree.prohibitedLocationClasses.has('peeping_spot'));
  t.notOk(draft.prohibitedLocationClasses.has('private_room'), 'the decree adds private rooms, B&Bs and peeping spots');
});

const AT = new Date('2026-11-30T12:00:00Z');
const BASE: DecisionFacts = {
  at: AT,
  action: 'playback',
  window: { from: new Date(AT.getTime() - 86_400_000), to: new Date(AT.getTime() - 80_000_000) },
  purpose: 'public_safety',
  reason: 'theft at the east gate',
  camera: { locationClass: 'street', nearClassifiedSite: false, siteConsent: false },
  system: { wentLiveOn: new Date('2025-01-01'), filedOn: new Date('2025-01-10'), retentionDays: null },
  person: { active: true, trainingValidUntil: new Date('2027-01-01'), confidentialitySignedOn: new Date('2025-01-01') },
  rolePermits: true,
  grant: 'none',
  maintainerOnly: false,
  legalHoldCovers: false,
  publicationConsent: false,
};

/** Facts that make each decision rule apply. */
const TRIGGERS: Readonly<Record<(typeof RULE_CODES)[number], Partial<DecisionFacts>>> = {
  ROLE_NOT_PERMITTED: { rolePermits: false },
  GRANT_NOT_VALID: { grant: 'invalid' },
  NOT_REGISTERED_PERSONNEL: { person: undefined },
  TRAINING_LAPSED: { person: { ...(BASE.person as object), trainingValidUntil: null } as DecisionFacts['person'] },
  NO_CONFIDENTIALITY_UNDERTAKING: {
    person: { ...(BASE.person as object), confidentialitySignedOn: null } as DecisionFacts['person'],
  },
  REASON_REQUIRED: { reason: ' ' },
  PURPOSE_NOT_PERMITTED: { purpose: 'commercial' },
  OUTSIDE_RETENTION: { window: { from: new Date('2026-01-01'), to: new Date('2026-01-02') } },
  PROHIBITED_LOCATION: { camera: { ...BASE.camera, locationClass: 'restroom' } },
  SITE_CONSENT_MISSING: { camera: { ...BASE.camera, nearClassifiedSite: true } },
  FILING_OVERDUE: { system: { wentLiveOn: new Date('2026-01-01'), filedOn: null, retentionDays: null } },
  MAINTENANCE_LIVE_ONLY: { maintainerOnly: true },
  MASK_SENSITIVE_INFORMATION: { action: 'broadcast' },
  REGISTER_TRANSFER: { action: 'export' },
};

t.test('each rule decides alike under both profiles and cites the profile in force', async (t) => {
  for (const code of RULE_CODES) {
    const facts = { ...BASE, ...TRIGGERS[code] };
    const [inDraft, inDecree] = ARTICLES[code] as readonly [string, string];
    for (const [profile, article] of [
      [draft, inDraft],
      [decree, inDecree],
    ] as const) {
      const outcome = decide(facts, profile);
      const finding = [...outcome.reasons, ...outcome.obligations].find((item) => item.code === code);
      t.equal(finding?.article, article, `${code} under ${profile.name}: article ${article}`);
      t.equal(finding?.message, profile.rules[code].message, `${code} under ${profile.name}: its wording`);
    }
  }
});
