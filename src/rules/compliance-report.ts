/**
 * The compliance report (GET /v1/compliance/report) as pure functions of what it reads: the
 * registry, the decisions recorded in a period, which of them have a registered transfer, the
 * grants they named, and the last recorded verification. Findings carry their code and the article
 * the regulation profile in force gives it: filing, signage, prohibited locations, classified sites,
 * personnel training and confidentiality, exports without a transfer, decisions under a grant no
 * longer valid; and the period's denials and accesses.
 */
import type { AccessSnapshot } from './access-snapshot.js';
import type { ReconciliationFindings } from './reconciliation-findings.js';
import { appliesTo, cite, type FindingCode, type RegulationProfile, type RuleCode } from './regulation-profile.js';
import type { RetentionFindings } from './retention-findings.js';

const DAY_MS = 86_400_000;

/** Roles whose holders watch footage: the personnel duties apply to them. */
export const MONITORING_ROLES: ReadonlySet<string> = new Set(['operator', 'supervisor', 'maintainer']);

/** One `decision.made` entry, as the report needs it. */
export interface RecordedDecision {
  readonly seq: number;
  readonly time: Date;
  readonly decisionId: string;
  readonly cameraId: string;
  readonly unitId: string;
  readonly person: string;
  readonly action: string;
  readonly decision: 'allow' | 'deny';
  readonly reasons: readonly string[];
  readonly grantId: string | null;
  readonly validUntil: string | null;
}

export interface GrantFacts {
  readonly validUntil: string;
  readonly revokedAt: string | null;
}

export interface VerificationFacts {
  readonly seq: number;
  readonly time: string;
  readonly result: Readonly<Record<string, unknown>>;
}

function isoDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Registry findings: filing, signage, prohibited locations, personnel in monitoring positions. */
export function registryFindings(snapshot: AccessSnapshot, profile: RegulationProfile, now: Date) {
  const cameras = [...snapshot.cameras.values()].filter(
    (facts) => facts.camera.active && facts.system.active && facts.unit.active,
  );
  const systems = [...snapshot.systems.values()].filter(
    (system) => system.active && snapshot.units.get(system.unit_id)?.active === true,
  );
  const filing = [];
  const signage = [];
  for (const system of systems.sort((a, b) => a.id.localeCompare(b.id))) {
    const dueOn = isoDay(Date.parse(system.went_live_on) + profile.filingDeadlineDays * DAY_MS);
    const applies = (code: FindingCode | RuleCode) => appliesTo(profile, system.legal_basis, code);
    const missingCode = isoDay(now.getTime()) > dueOn ? 'FILING_OVERDUE' : 'FILING_MISSING';
    if (system.filing === null && applies(missingCode)) {
      filing.push({
        ...cite(profile, missingCode),
        system_id: system.id,
        unit_id: system.unit_id,
        went_live_on: system.went_live_on,
        due_on: dueOn,
      });
    } else if (system.filing !== null && system.filing.filed_on > dueOn && applies('FILING_OVERDUE')) {
      filing.push({
        ...cite(profile, 'FILING_OVERDUE'),
        system_id: system.id,
        unit_id: system.unit_id,
        went_live_on: system.went_live_on,
        due_on: dueOn,
        filed_on: system.filing.filed_on,
      });
    }
    const filed = system.filing;
    if (filed !== null && applies('REFILING_DUE')) {
      const cameraCount = cameras.filter((facts) => facts.system.id === system.id).length;
      const changed = [
        ...(filed.cameras !== undefined && filed.cameras !== cameraCount ? [`cameras ${filed.cameras} → ${cameraCount}`] : []),
        ...(filed.retention_days !== undefined && filed.retention_days !== system.retention_days
          ? [`storage period ${filed.retention_days} → ${system.retention_days} days`]
          : []),
      ];
      if (changed.length > 0) {
        filing.push({
          ...cite(profile, 'REFILING_DUE'),
          system_id: system.id,
          unit_id: system.unit_id,
          went_live_on: system.went_live_on,
          filed_on: filed.filed_on,
          changed: changed.join('; '),
        });
      }
    }
    if (!system.signage) signage.push({ ...cite(profile, 'NO_SIGNAGE'), system_id: system.id, unit_id: system.unit_id });
  }
  const prohibited = cameras
    .filter((facts) => profile.prohibitedLocationClasses.has(facts.camera.location_class))
    .map((facts) => ({
      ...cite(profile, 'PROHIBITED_LOCATION'),
      camera_id: facts.camera.id,
      system_id: facts.system.id,
      unit_id: facts.unit.id,
      location_class: facts.camera.location_class,
    }))
    .sort((a, b) => a.camera_id.localeCompare(b.camera_id));
  const classifiedSites = cameras
    .filter((facts) => facts.camera.near_military_area && facts.camera.site_consent_ref === null)
    .map((facts) => ({
      ...cite(profile, 'SITE_CONSENT_MISSING'),
      camera_id: facts.camera.id,
      system_id: facts.system.id,
      unit_id: facts.unit.id,
    }))
    .sort((a, b) => a.camera_id.localeCompare(b.camera_id));
  const personnel = [];
  const today = isoDay(now.getTime());
  for (const person of [...snapshot.personnel.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    if (!person.active) continue;
    const roles = [...snapshot.units.keys()]
      .flatMap((unit) => snapshot.index.rolesOf(person.id, unit))
      .filter((role) => MONITORING_ROLES.has(role));
    if (roles.length === 0) continue;
    const base = {
      subject: person.id,
      unit_id: person.unit_id,
      roles: [...new Set(roles)].sort(),
      training_valid_until: person.training_valid_until,
      confidentiality_signed_on: person.confidentiality_signed_on,
    };
    if (person.training_valid_until === null || person.training_valid_until < today) {
      personnel.push({ ...cite(profile, 'TRAINING_LAPSED'), ...base });
    }
    if (person.confidentiality_signed_on === null || person.confidentiality_signed_on > today) {
      personnel.push({ ...cite(profile, 'NO_CONFIDENTIALITY_UNDERTAKING'), ...base });
    }
  }
  return { filing, signage, prohibited_locations: prohibited, classified_sites: classifiedSites, personnel };
}

/**
 * Accumulates the decisions of a period one at a time (memory grows with cameras, days and the
 * candidates for findings, not with the number of decisions).
 */
export class DecisionTally {
  private readonly denialsByUnitCamera = new Map<string, { unit_id: string; camera_id: string; count: number }>();
  private readonly denialsByDay = new Map<string, number>();
  private readonly byCamera = new Map<string, { camera_id: string; unit_id: string; allowed: number; denied: number }>();
  private readonly exports: RecordedDecision[] = [];
  private readonly grantAttempts: RecordedDecision[] = [];
  private denied = 0;
  private total = 0;

  add(decision: RecordedDecision): void {
    this.total += 1;
    const camera = this.byCamera.get(decision.cameraId) ?? {
      camera_id: decision.cameraId,
      unit_id: decision.unitId,
      allowed: 0,
      denied: 0,
    };
    this.byCamera.set(decision.cameraId, camera);
    if (decision.decision === 'allow') {
      camera.allowed += 1;
      if (decision.action === 'export') this.exports.push(decision);
      return;
    }
    camera.denied += 1;
    this.denied += 1;
    const key = `${decision.unitId}\u0000${decision.cameraId}`;
    const cell = this.denialsByUnitCamera.get(key) ?? { unit_id: decision.unitId, camera_id: decision.cameraId, count: 0 };
    cell.count += 1;
    this.denialsByUnitCamera.set(key, cell);
    const day = isoDay(decision.time.getTime());
    this.denialsByDay.set(day, (this.denialsByDay.get(day) ?? 0) + 1);
    if (decision.grantId !== null && decision.reasons.includes('GRANT_NOT_VALID')) this.grantAttempts.push(decision);
  }

  /** The decision ids whose transfers and the grant ids whose facts the findings need. */
  get wanted(): { exports: string[]; grants: string[] } {
    return {
      exports: this.exports.map((decision) => decision.decisionId),
      grants: [...new Set(this.grantAttempts.map((decision) => decision.grantId as string))],
    };
  }

  findings(profile: RegulationProfile, now: Date, transferred: ReadonlySet<string>, grants: ReadonlyMap<string, GrantFacts>) {
    const unregistered = this.exports
      .filter((decision) => !transferred.has(decision.decisionId))
      .map((decision) => ({
        ...cite(profile, 'TRANSFER_NOT_REGISTERED'),
        decision_id: decision.decisionId,
        seq: decision.seq,
        time: decision.time.toISOString(),
        camera_id: decision.cameraId,
        unit_id: decision.unitId,
        person: decision.person,
        valid_until: decision.validUntil,
        // An allow still valid may yet be transferred; after valid_until it cannot be.
        status: decision.validUntil !== null && Date.parse(decision.validUntil) > now.getTime() ? 'open' : 'overdue',
      }));
    const attempts = [];
    for (const decision of this.grantAttempts) {
      const grant = grants.get(decision.grantId as string);
      if (grant === undefined) continue;
      const at = decision.time.getTime();
      const status =
        grant.revokedAt !== null && Date.parse(grant.revokedAt) <= at
          ? 'revoked'
          : Date.parse(grant.validUntil) <= at
            ? 'expired'
            : undefined;
      // GRANT_NOT_VALID of a grant still running means the scope did not cover: not a late use.
      if (status === undefined) continue;
      attempts.push({
        ...cite(profile, 'GRANT_USED_AFTER_EXPIRY'),
        decision_id: decision.decisionId,
        seq: decision.seq,
        time: decision.time.toISOString(),
        grant_id: decision.grantId,
        grant_status: status,
        person: decision.person,
        camera_id: decision.cameraId,
        unit_id: decision.unitId,
      });
    }
    const byName = <T>(items: Iterable<T>, key: (item: T) => string) => [...items].sort((a, b) => key(a).localeCompare(key(b)));
    return {
      unregistered_exports: unregistered,
      expired_grant_attempts: attempts,
      decisions: { total: this.total, denied: this.denied },
      denials_by_unit_camera: byName(this.denialsByUnitCamera.values(), (cell) => `${cell.unit_id} ${cell.camera_id}`),
      denials_by_day: byName(this.denialsByDay.entries(), ([day]) => day).map(([day, count]) => ({ day, count })),
      accesses_by_camera: byName(this.byCamera.values(), (cell) => cell.camera_id),
    };
  }
}

/** A receipt acknowledged with another file than the one registered. */
export interface MismatchedReceipt {
  readonly transferId: string;
  readonly decisionId: string;
  readonly seq: number;
  readonly time: Date;
  readonly unitId: string;
  readonly cameraId: string;
  readonly recipientUnitId: string;
  readonly registeredSha256: string;
  readonly receivedSha256: string;
}

/** Hand-overs whose two sides disagree (TRANSFER_HASH_MISMATCH). */
export function handOverFindings(profile: RegulationProfile, mismatches: readonly MismatchedReceipt[]) {
  return {
    transfer_mismatches: mismatches.map((item) => ({
      ...cite(profile, 'TRANSFER_HASH_MISMATCH'),
      transfer_id: item.transferId,
      decision_id: item.decisionId,
      seq: item.seq,
      time: item.time.toISOString(),
      unit_id: item.unitId,
      camera_id: item.cameraId,
      recipient_unit_id: item.recipientUnitId,
      registered_sha256: item.registeredSha256,
      received_sha256: item.receivedSha256,
    })),
  };
}

/** The code whose article each section of the report cites. */
export const SECTION_CODES = {
  filing: 'FILING_MISSING',
  signage: 'NO_SIGNAGE',
  prohibited_locations: 'PROHIBITED_LOCATION',
  classified_sites: 'SITE_CONSENT_MISSING',
  personnel: 'TRAINING_LAPSED',
  unregistered_exports: 'TRANSFER_NOT_REGISTERED',
  expired_grant_attempts: 'GRANT_USED_AFTER_EXPIRY',
  transfer_mismatches: 'TRANSFER_HASH_MISMATCH',
  deletions_under_hold: 'FOOTAGE_DELETED_UNDER_HOLD',
  deletions_before_retention: 'FOOTAGE_DELETED_EARLY',
  deletions_not_reported: 'DELETION_NOT_REPORTED',
  served_without_decision: 'FOOTAGE_SERVED_WITHOUT_DECISION',
  served_outside_decision: 'FOOTAGE_SERVED_OUTSIDE_DECISION',
  unreconciled_sessions: 'SESSION_UNRECONCILED',
} as const satisfies Record<string, FindingCode | RuleCode>;

/** The law the report is read against, and each section's citation (the profile's `cite_as` and article). */
export function lawOf(profile: RegulationProfile) {
  const citations = Object.fromEntries(
    Object.entries(SECTION_CODES).map(([section, code]) => [section, `${profile.citeAs} ${cite(profile, code).article}`]),
  ) as Record<keyof typeof SECTION_CODES, string>;
  return { law: { title: profile.title, cite_as: profile.citeAs }, citations };
}

export type RegistryFindings = ReturnType<typeof registryFindings>;
export type HandOverFindings = ReturnType<typeof handOverFindings>;
export type DecisionFindings = ReturnType<DecisionTally['findings']>;

export interface ComplianceReport
  extends RegistryFindings,
    DecisionFindings,
    HandOverFindings,
    RetentionFindings,
    ReconciliationFindings {
  readonly generated_at: string;
  readonly profile: string;
  readonly period: { readonly from: string; readonly to: string };
  /** The checkpoint whose tree the decisions were read from (size 0 and null root: an empty log). */
  readonly checkpoint: { readonly tree_size: number; readonly root: string | null };
  readonly law: ReturnType<typeof lawOf>['law'];
  readonly citations: ReturnType<typeof lawOf>['citations'];
  readonly last_verification: VerificationFacts | null;
}
