import { readFile } from 'node:fs/promises';
import t from 'tap';
import { type DecisionFacts, decide } from '../../src/rules/access-rules.js';
import { ProfileError, parseRegulationProfile } from '../../src/rules/regulation-profile.js';

const PROFILE_FILE = 'policies/regulation.yaml';
const profile = parseRegulationProfile(await readFile(PROFILE_FILE, 'utf8'));

const AT = new Date('2026-11-28T10:00:00Z');
const daysAgo = (days: number) => new Date(AT.getTime() - days * 86_400_000);

const PERSON = { active: true, trainingValidUntil: daysAgo(-100), confidentialitySignedOn: daysAgo(300) };

/** Facts under which every rule is satisfied: an operator replaying yesterday for public safety. */
const BASE: DecisionFacts = {
  at: AT,
  action: 'playback',
  window: { from: daysAgo(1), to: daysAgo(0.9) },
  purpose: 'public_safety',
  reason: 'theft reported at the east gate',
  camera: { locationClass: 'street', nearClassifiedSite: false, siteConsent: false },
  system: { wentLiveOn: daysAgo(400), filedOn: daysAgo(390), retentionDays: null },
  person: PERSON,
  rolePermits: true,
  grant: 'none',
  maintainerOnly: false,
  legalHoldCovers: false,
  publicationConsent: false,
};

const CASES: [string, Partial<DecisionFacts>, 'allow' | 'deny', string[], string[]][] = [
  ['everything in order', {}, 'allow', [], []],
  ['23(2) the policy does not permit it', { rolePermits: false }, 'deny', ['ROLE_NOT_PERMITTED'], []],
  [
    '24 a grant that does not cover the access',
    { rolePermits: false, grant: 'invalid' },
    'deny',
    ['ROLE_NOT_PERMITTED', 'GRANT_NOT_VALID'],
    [],
  ],
  [
    '24 an officer acting under a valid grant is not the unit personnel 23(1) speaks of',
    { grant: 'valid', person: undefined },
    'allow',
    [],
    [],
  ],
  ['23(1) not registered personnel', { person: undefined }, 'deny', ['NOT_REGISTERED_PERSONNEL'], []],
  ['23(1) inactive personnel', { person: { ...PERSON, active: false } }, 'deny', ['NOT_REGISTERED_PERSONNEL'], []],
  ['23(1) training lapsed yesterday', { person: { ...PERSON, trainingValidUntil: daysAgo(1) } }, 'deny', ['TRAINING_LAPSED'], []],
  ['23(1) never trained', { person: { ...PERSON, trainingValidUntil: null } }, 'deny', ['TRAINING_LAPSED'], []],
  [
    '23(1) no confidentiality undertaking',
    { person: { ...PERSON, confidentialitySignedOn: null } },
    'deny',
    ['NO_CONFIDENTIALITY_UNDERTAKING'],
    [],
  ],
  [
    '23(1) undertaking signed only tomorrow',
    { person: { ...PERSON, confidentialitySignedOn: daysAgo(-1) } },
    'deny',
    ['NO_CONFIDENTIALITY_UNDERTAKING'],
    [],
  ],
  ['23(3) a blank reason', { reason: '   ' }, 'deny', ['REASON_REQUIRED'], []],
  ['16 a purpose outside public safety', { purpose: 'commercial' }, 'deny', ['PURPOSE_NOT_PERMITTED'], []],
  ['16 a purpose not in the profile', { purpose: 'curiosity' }, 'deny', ['PURPOSE_NOT_PERMITTED'], []],
  ['16 a window older than 30 days', { window: { from: daysAgo(31), to: daysAgo(30.5) } }, 'deny', ['OUTSIDE_RETENTION'], []],
  ['16 exactly at the retention edge', { window: { from: daysAgo(30), to: daysAgo(29) } }, 'allow', [], []],
  [
    '16 an old window under a legal hold',
    { window: { from: daysAgo(90), to: daysAgo(89) }, legalHoldCovers: true },
    'allow',
    [],
    [],
  ],
  [
    '16 a system whose law keeps 90 days',
    { window: { from: daysAgo(60), to: daysAgo(59) }, system: { ...BASE.system, retentionDays: 90 } },
    'allow',
    [],
    [],
  ],
  [
    "13 a camera near a military site without its organ's recorded consent",
    { camera: { ...BASE.camera, nearClassifiedSite: true } },
    'deny',
    ['SITE_CONSENT_MISSING'],
    [],
  ],
  [
    '13 the same camera once the consent is recorded',
    { camera: { ...BASE.camera, nearClassifiedSite: true, siteConsent: true } },
    'allow',
    [],
    [],
  ],
  ['11 a camera in a restroom', { camera: { ...BASE.camera, locationClass: 'restroom' } }, 'deny', ['PROHIBITED_LOCATION'], []],
  [
    '17 a system unfiled 31 days after going live',
    { system: { wentLiveOn: daysAgo(31), filedOn: null, retentionDays: null } },
    'allow',
    ['FILING_OVERDUE'],
    [],
  ],
  [
    '17 an unfiled system within the deadline',
    { system: { wentLiveOn: daysAgo(29), filedOn: null, retentionDays: null } },
    'allow',
    [],
    [],
  ],
  [
    '22 a maintainer viewing live for maintenance',
    { maintainerOnly: true, action: 'live', window: undefined, purpose: 'maintenance' },
    'allow',
    [],
    [],
  ],
  ['22 a maintainer replaying footage', { maintainerOnly: true, purpose: 'maintenance' }, 'deny', ['MAINTENANCE_LIVE_ONLY'], []],
  [
    '22 a maintainer viewing live for another purpose',
    { maintainerOnly: true, action: 'live', window: undefined },
    'deny',
    ['MAINTENANCE_LIVE_ONLY'],
    [],
  ],
  ['23(3) an export must be registered', { action: 'export' }, 'allow', [], ['REGISTER_TRANSFER']],
  [
    '26 a broadcast masks faces, plates and names',
    { action: 'broadcast', purpose: 'publication' },
    'allow',
    [],
    ['MASK_SENSITIVE_INFORMATION'],
  ],
  [
    '26 a broadcast with recorded consent',
    { action: 'broadcast', purpose: 'publication', publicationConsent: true },
    'allow',
    [],
    [],
  ],
  ['a denied export carries no obligation', { action: 'export', rolePermits: false }, 'deny', ['ROLE_NOT_PERMITTED'], []],
  [
    'several failures are all named, in rule order',
    {
      camera: { ...BASE.camera, locationClass: 'dorm_room' },
      reason: '',
      rolePermits: false,
      system: { wentLiveOn: daysAgo(60), filedOn: null, retentionDays: null },
    },
    'deny',
    ['ROLE_NOT_PERMITTED', 'REASON_REQUIRED', 'PROHIBITED_LOCATION', 'FILING_OVERDUE'],
    [],
  ],
];

t.test('each article rule decides as its table says', async (t) => {
  for (const [name, change, decision, reasons, obligations] of CASES) {
    const outcome = decide({ ...BASE, ...change }, profile);
    t.equal(outcome.decision, decision, `${name}: ${decision}`);
    t.same(
      outcome.reasons.map((finding) => finding.code),
      reasons,
      `${name}: reasons`,
    );
    t.same(
      outcome.obligations.map((finding) => finding.code),
      obligations,
      `${name}: obligations`,
    );
  }
});

t.test('findings carry the article and message of the profile, so a renumbered regulation is data', async (t) => {
  const text = await readFile(PROFILE_FILE, 'utf8');
  const outcome = decide({ ...BASE, camera: { ...BASE.camera, locationClass: 'bath' } }, profile);
  t.match(outcome.reasons[0], { code: 'PROHIBITED_LOCATION', article: '11', effect: 'deny', message: /prohibited/ });
  const renumbered = parseRegulationProfile(text.replace(/article: "11"/, 'article: "14"'));
  t.equal(decide({ ...BASE, camera: { ...BASE.camera, locationClass: 'bath' } }, renumbered).reasons[0]?.article, '14');
  const strict = parseRegulationProfile(text.replace(/(FILING_OVERDUE:\n\s+article: "17"\n\s+effect: )warn/, '$1deny'));
  t.equal(decide({ ...BASE, system: { wentLiveOn: daysAgo(60), filedOn: null, retentionDays: null } }, strict).decision, 'deny');
});

t.test('a profile that leaves a rule out, or names an unknown one, is refused', async (t) => {
  const text = await readFile(PROFILE_FILE, 'utf8');
  t.throws(() => parseRegulationProfile(text.replace(/ {2}REASON_REQUIRED:/, '  REASON_OPTIONAL:')), ProfileError);
  t.throws(
    () => parseRegulationProfile(text.replace('retention_days_default: 30', 'retention_days_default: 0')),
    /retention_days_default/,
  );
  t.throws(
    () => parseRegulationProfile(text.replace('statistics: { personal_images: false }', 'statistics: {}')),
    /purposes.statistics/,
  );
  t.throws(() => parseRegulationProfile('name: x'), ProfileError);
});
