/**
 * The regulation profile (policies/regulation.yaml): which article each rule implements and what it
 * tells the caller, the closed list of purposes, the retention default, the filing deadline and the
 * prohibited location classes. Article numbers are data, so a renumbered regulation is a new file.
 */
import { parse } from 'yaml';

export const RULE_CODES = [
  'ROLE_NOT_PERMITTED',
  'GRANT_NOT_VALID',
  'NOT_REGISTERED_PERSONNEL',
  'TRAINING_LAPSED',
  'NO_CONFIDENTIALITY_UNDERTAKING',
  'REASON_REQUIRED',
  'PURPOSE_NOT_PERMITTED',
  'OUTSIDE_RETENTION',
  'PROHIBITED_LOCATION',
  'SITE_CONSENT_MISSING',
  'FILING_OVERDUE',
  'MAINTENANCE_LIVE_ONLY',
  'MASK_SENSITIVE_INFORMATION',
  'REGISTER_TRANSFER',
] as const;

export type RuleCode = (typeof RULE_CODES)[number];

/** What the compliance report finds that no decision rule covers. */
export const FINDING_CODES = [
  'FILING_MISSING',
  'REFILING_DUE',
  'NO_SIGNAGE',
  'TRANSFER_NOT_REGISTERED',
  'TRANSFER_HASH_MISMATCH',
  'FOOTAGE_DELETED_UNDER_HOLD',
  'FOOTAGE_DELETED_EARLY',
  'DELETION_NOT_REPORTED',
  'GRANT_USED_AFTER_EXPIRY',
  'FOOTAGE_SERVED_WITHOUT_DECISION',
  'FOOTAGE_SERVED_OUTSIDE_DECISION',
  'SESSION_UNRECONCILED',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface FindingText {
  readonly article: string;
  readonly message: string;
}
export type RuleEffect = 'deny' | 'warn' | 'obligation';

export interface Rule {
  readonly article: string;
  readonly effect: RuleEffect;
  readonly message: string;
}

/** A category of legal basis a system is built on, the article it rests on, and what it exempts. */
export interface SystemCategory {
  readonly article: string;
  /** Rule and finding codes that do not apply to systems of this category. */
  readonly exemptFrom: ReadonlySet<RuleCode | FindingCode>;
}

export interface RegulationProfile {
  readonly name: string;
  /** The law's title, as reports and the console name it. */
  readonly title: string;
  /** How an article is cited, before its number ("Article", "Decree 799, Article"). */
  readonly citeAs: string;
  readonly systemCategories: ReadonlyMap<string, SystemCategory>;
  /** Whether recorded consent to publish lifts the masking obligation. */
  readonly maskingConsentException: boolean;
  /** What a person may ask for to protect life, health or property, and what the unit may add. */
  readonly individualAccess: { readonly actions: ReadonlySet<string>; readonly unitMayAdd: ReadonlySet<string> };
  readonly retentionDaysDefault: number;
  readonly filingDeadlineDays: number;
  readonly purposes: ReadonlyMap<string, { readonly personalImages: boolean }>;
  readonly prohibitedLocationClasses: ReadonlySet<string>;
  readonly rules: Readonly<Record<RuleCode, Rule>>;
  readonly findings: Readonly<Record<FindingCode, FindingText>>;
}

/** A rule or finding code with the article the profile gives it. */
export function cite<Code extends RuleCode | FindingCode>(
  profile: RegulationProfile,
  code: Code,
): { code: Code; article: string } {
  const text = (profile.findings as Record<string, FindingText>)[code] ?? profile.rules[code as RuleCode];
  return { code, article: text.article };
}

/** Whether a rule or finding applies to a system of `category` under `profile`. */
export function appliesTo(profile: RegulationProfile, category: string, code: RuleCode | FindingCode): boolean {
  return profile.systemCategories.get(category)?.exemptFrom.has(code) !== true;
}

export class ProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileError';
  }
}

function positiveInteger(value: unknown, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new ProfileError(`${field}: expected a positive whole number`);
  return value as number;
}

export function parseRegulationProfile(text: string): RegulationProfile {
  const document = parse(text) as Record<string, unknown> | null;
  if (document === null || typeof document !== 'object') throw new ProfileError('expected a mapping');
  if (typeof document.name !== 'string' || document.name === '') throw new ProfileError('name: expected text');
  const purposes = new Map<string, { personalImages: boolean }>();
  for (const [purpose, value] of Object.entries((document.purposes ?? {}) as Record<string, unknown>)) {
    const personalImages = (value as { personal_images?: unknown } | null)?.personal_images;
    if (!/^[a-z][a-z_]*$/.test(purpose) || typeof personalImages !== 'boolean') {
      throw new ProfileError(`purposes.${purpose}: expected { personal_images: true | false }`);
    }
    purposes.set(purpose, { personalImages });
  }
  if (purposes.size === 0) throw new ProfileError('purposes: expected at least one purpose');
  for (const key of ['title', 'cite_as'] as const) {
    if (typeof document[key] !== 'string' || document[key] === '') throw new ProfileError(`${key}: expected text`);
  }
  if (typeof document.masking_consent_exception !== 'boolean') {
    throw new ProfileError('masking_consent_exception: expected true or false');
  }
  const individual = (document.individual_access ?? {}) as { actions?: unknown; unit_may_add?: unknown };
  const actionList = (value: unknown, key: string): Set<string> => {
    if (!Array.isArray(value) || !value.every((item) => ['live', 'playback', 'export', 'broadcast'].includes(item as string))) {
      throw new ProfileError(`individual_access.${key}: expected a list of actions (live, playback, export, broadcast)`);
    }
    return new Set(value as string[]);
  };
  const individualAccess = {
    actions: actionList(individual.actions, 'actions'),
    unitMayAdd: actionList(individual.unit_may_add ?? [], 'unit_may_add'),
  };
  const systemCategories = new Map<string, SystemCategory>();
  for (const [name, value] of Object.entries((document.system_categories ?? {}) as Record<string, unknown>)) {
    const category = value as { article?: unknown; exempt_from?: unknown } | null;
    const exempt = category?.exempt_from ?? [];
    const known = [...RULE_CODES, ...FINDING_CODES] as readonly string[];
    if (!/^[a-z][a-z_]{0,63}$/.test(name) || typeof category?.article !== 'string' || category.article === '') {
      throw new ProfileError(`system_categories.${name}: expected { article, exempt_from? }`);
    }
    if (!Array.isArray(exempt) || !exempt.every((code) => known.includes(code as string))) {
      throw new ProfileError(`system_categories.${name}.exempt_from: expected a list of rule and finding codes`);
    }
    systemCategories.set(name, { article: category.article, exemptFrom: new Set(exempt as (RuleCode | FindingCode)[]) });
  }
  if (systemCategories.size === 0) throw new ProfileError('system_categories: expected at least one category');
  const locations = document.prohibited_location_classes;
  if (!Array.isArray(locations) || !locations.every((item) => typeof item === 'string')) {
    throw new ProfileError('prohibited_location_classes: expected a list of names');
  }
  const rawRules = (document.rules ?? {}) as Record<string, unknown>;
  const rules = {} as Record<RuleCode, Rule>;
  for (const code of RULE_CODES) {
    const rule = rawRules[code] as { article?: unknown; effect?: unknown; message?: unknown } | undefined;
    if (
      rule === undefined ||
      typeof rule.article !== 'string' ||
      rule.article === '' ||
      !['deny', 'warn', 'obligation'].includes(rule.effect as string) ||
      typeof rule.message !== 'string' ||
      rule.message === ''
    ) {
      throw new ProfileError(`rules.${code}: expected { article, effect: deny | warn | obligation, message }`);
    }
    rules[code] = { article: rule.article, effect: rule.effect as RuleEffect, message: rule.message };
  }
  const unknown = Object.keys(rawRules).filter((code) => !(RULE_CODES as readonly string[]).includes(code));
  if (unknown.length > 0) throw new ProfileError(`rules: unknown rule codes ${unknown.join(', ')}`);
  const rawFindings = (document.findings ?? {}) as Record<string, unknown>;
  const findings = {} as Record<FindingCode, FindingText>;
  for (const code of FINDING_CODES) {
    const finding = rawFindings[code] as { article?: unknown; message?: unknown } | undefined;
    if (
      typeof finding?.article !== 'string' ||
      finding.article === '' ||
      typeof finding.message !== 'string' ||
      finding.message === ''
    ) {
      throw new ProfileError(`findings.${code}: expected { article, message }`);
    }
    findings[code] = { article: finding.article, message: finding.message };
  }
  return {
    name: document.name,
    title: document.title as string,
    citeAs: document.cite_as as string,
    systemCategories,
    maskingConsentException: document.masking_consent_exception,
    individualAccess,
    retentionDaysDefault: positiveInteger(document.retention_days_default, 'retention_days_default'),
    filingDeadlineDays: positiveInteger(document.filing_deadline_days, 'filing_deadline_days'),
    purposes,
    prohibitedLocationClasses: new Set(locations as string[]),
    rules,
    findings,
  };
}
