/**
 * The article rules of an access decision, each a pure function of the facts the decision workflow
 * gathers (registry, personnel, policy, grants, holds). Which article a rule implements, and whether
 * it denies, warns or obliges, comes from the regulation profile.
 */
import type { RegulationProfile, Rule, RuleCode } from './regulation-profile.js';
import { appliesTo, RULE_CODES } from './regulation-profile.js';

export const ACTIONS = ['live', 'playback', 'export', 'broadcast'] as const;
export type Action = (typeof ACTIONS)[number];

export interface DecisionFacts {
  readonly at: Date;
  readonly action: Action;
  /** Absent for live view. */
  readonly window: { readonly from: Date; readonly to: Date } | undefined;
  readonly purpose: string;
  readonly reason: string;
  readonly camera: {
    readonly locationClass: string;
    /** Near a military or classified site, and whether that site's consent is recorded. */
    readonly nearClassifiedSite: boolean;
    readonly siteConsent: boolean;
  };
  readonly system: {
    readonly wentLiveOn: Date;
    readonly filedOn: Date | null;
    readonly retentionDays: number | null;
    /** The category of legal basis it was built on: the profile may exempt it from some rules. */
    readonly category?: string;
  };
  /** The caller's personnel record; undefined when the caller is not registered. */
  readonly person:
    | { readonly active: boolean; readonly trainingValidUntil: Date | null; readonly confidentialitySignedOn: Date | null }
    | undefined;
  /** The policy (roles, or a grant) permits this action on this camera. */
  readonly rolePermits: boolean;
  /**
   * A grant named by the request — none, one that covers this access (its holder acts
   * under the grant's legal basis, not as the unit's personnel), or one that does not.
   */
  readonly grant: 'none' | 'valid' | 'invalid';
  /** The caller acts only as an entrusted maintainer. */
  readonly maintainerOnly: boolean;
  /** A legal hold covers the window. */
  readonly legalHoldCovers: boolean;
  /** Consent to publish without masking is recorded. */
  readonly publicationConsent: boolean;
}

export interface Finding extends Rule {
  readonly code: RuleCode;
}

export interface Outcome {
  readonly decision: 'allow' | 'deny';
  /** Denials and warnings, in rule order. */
  readonly reasons: Finding[];
  /** What the caller must do with an allowed access; empty on a deny. */
  readonly obligations: Finding[];
}

const DAY_MS = 86_400_000;

/** Whether each rule applies to the facts. */
const APPLIES: Readonly<Record<RuleCode, (facts: DecisionFacts, profile: RegulationProfile) => boolean>> = {
  ROLE_NOT_PERMITTED: (facts) => !facts.rolePermits,
  GRANT_NOT_VALID: (facts) => facts.grant === 'invalid',
  NOT_REGISTERED_PERSONNEL: (facts) => facts.grant !== 'valid' && (facts.person === undefined || !facts.person.active),
  TRAINING_LAPSED: (facts) =>
    facts.grant !== 'valid' &&
    facts.person !== undefined &&
    (facts.person.trainingValidUntil === null || facts.person.trainingValidUntil < facts.at),
  NO_CONFIDENTIALITY_UNDERTAKING: (facts) =>
    facts.grant !== 'valid' &&
    facts.person !== undefined &&
    (facts.person.confidentialitySignedOn === null || facts.person.confidentialitySignedOn > facts.at),
  REASON_REQUIRED: (facts) => facts.reason.trim() === '',
  PURPOSE_NOT_PERMITTED: (facts, profile) => profile.purposes.get(facts.purpose)?.personalImages !== true,
  OUTSIDE_RETENTION: (facts, profile) => {
    if (facts.window === undefined || facts.legalHoldCovers) return false;
    const days = facts.system.retentionDays ?? profile.retentionDaysDefault;
    return facts.window.from.getTime() < facts.at.getTime() - days * DAY_MS;
  },
  PROHIBITED_LOCATION: (facts, profile) => profile.prohibitedLocationClasses.has(facts.camera.locationClass),
  SITE_CONSENT_MISSING: (facts) => facts.camera.nearClassifiedSite && !facts.camera.siteConsent,
  FILING_OVERDUE: (facts, profile) =>
    facts.system.filedOn === null && facts.at.getTime() > facts.system.wentLiveOn.getTime() + profile.filingDeadlineDays * DAY_MS,
  MAINTENANCE_LIVE_ONLY: (facts) => facts.maintainerOnly && !(facts.action === 'live' && facts.purpose === 'maintenance'),
  MASK_SENSITIVE_INFORMATION: (facts, profile) =>
    facts.action === 'broadcast' && !(profile.maskingConsentException && facts.publicationConsent),
  REGISTER_TRANSFER: (facts) => facts.action === 'export',
};

export function decide(facts: DecisionFacts, profile: RegulationProfile): Outcome {
  const category = facts.system.category;
  const findings = RULE_CODES.filter(
    (code) => (category === undefined || appliesTo(profile, category, code)) && APPLIES[code](facts, profile),
  ).map((code) => ({ code, ...profile.rules[code] }));
  const denied = findings.some((finding) => finding.effect === 'deny');
  return {
    decision: denied ? 'deny' : 'allow',
    reasons: findings.filter((finding) => finding.effect !== 'obligation'),
    obligations: denied ? [] : findings.filter((finding) => finding.effect === 'obligation'),
  };
}
