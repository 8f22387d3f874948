/**
 * The facts of an access decision, gathered from the access snapshot (registry, personnel, policy)
 * and the grant and hold a request names, for the article rules (access-rules.ts) to read. Pure:
 * the decide workflow reads the grant and hold and records the outcome.
 */
import type { GrantRow, HoldRow } from './access-request-records.js';
import { grantStatusAt } from './access-request-states.js';
import type { Action, DecisionFacts } from './access-rules.js';
import type { AccessSnapshot } from './access-snapshot.js';
import type { Caller } from './caller.js';
import { DomainError, type DomainErrorCode } from './domain-error.js';
import type { PersonRecord, SystemRecord } from './registry.js';
import { windowWithin } from './time-window.js';
import { personnelFor } from './unit-scope.js';

export { ACTIONS } from './access-rules.js';

/** How long an allow may be acted on, per action: a live view is re-decided often, an export once. */
export const VALIDITY_SECONDS: Readonly<Record<Action, number>> = {
  live: 300,
  playback: 900,
  export: 3600,
  broadcast: 3600,
};

export interface DecisionRequest {
  readonly camera_id: string;
  readonly action: Action;
  readonly window?: { readonly from: string; readonly to: string };
  readonly purpose: string;
  readonly reason: string;
  readonly grant_id?: string;
  readonly on_behalf_of?: { readonly subject: string; readonly name: string };
  /** A reference to the recorded consent to publish without masking (where the profile allows one). */
  readonly publication_consent?: string;
}

export type DecisionErrorCode = Extract<DomainErrorCode, 'unknown-camera' | 'unknown-grant' | 'invalid-window'>;

export class DecisionError extends DomainError<DecisionErrorCode> {
  declare readonly field: string;
}

/** How far a window's end may lie ahead of this service's clock (the caller's clock may run ahead). */
const CLOCK_TOLERANCE_MS = 60_000;

/** The roles that let a person act on footage beyond maintenance. */
const MAINTENANCE_ROLE = 'maintainer';

/**
 * Whether `caller` may ask for a decision on a camera of `cameraUnit` without a grant: decision:create
 * in their own unit or in the camera's (a contractor's roles are held in the units they work for).
 */
export function mayAskWithoutGrant(snapshot: AccessSnapshot, caller: Caller, cameraUnit: string | undefined): boolean {
  return (
    snapshot.index.allows(caller.subject, caller.unit, 'decision', 'create') ||
    (cameraUnit !== undefined && snapshot.index.allows(caller.subject, cameraUnit, 'decision', 'create'))
  );
}

/** The facts of a request against the snapshot; throws DecisionError for requests that cannot be decided. */
export function gatherFacts(
  snapshot: AccessSnapshot,
  person: string,
  request: DecisionRequest,
  at: Date,
  grant?: GrantRow,
  hold?: HoldRow,
): DecisionFacts & { unitId: string } {
  const facts = snapshot.cameras.get(request.camera_id);
  if (facts === undefined || !facts.camera.active || !facts.system.active || !facts.unit.active) {
    throw new DecisionError('unknown-camera', `no active camera ${request.camera_id}`, 'camera_id');
  }
  if (request.grant_id !== undefined && grant?.id !== request.grant_id) {
    throw new DecisionError('unknown-grant', `no grant ${request.grant_id}`, 'grant_id');
  }
  if (request.action === 'live' && request.window !== undefined) {
    throw new DecisionError('invalid-window', 'live view takes no window', 'window');
  }
  const window =
    request.window === undefined ? undefined : { from: new Date(request.window.from), to: new Date(request.window.to) };
  if (window !== undefined) {
    if (window.to < window.from) throw new DecisionError('invalid-window', 'must not be before from', 'window/to');
    if (window.to.getTime() > at.getTime() + CLOCK_TOLERANCE_MS) {
      throw new DecisionError('invalid-window', 'must not be in the future', 'window/to');
    }
  }
  const domain = facts.unit.id;
  const grantCovers = grant === undefined ? undefined : covers(grant, person, domain, request, at);
  // Registration counts only in the camera's unit or through its entrusted operators.
  const record = personnelFor(snapshot, person, domain);
  const roles = snapshot.index.rolesOf(person, domain).filter((role) => role !== person);
  const homeUnit = record === undefined ? undefined : snapshot.units.get(record.unit_id);
  return {
    unitId: domain,
    at,
    action: request.action,
    window,
    purpose: request.purpose,
    reason: request.reason,
    camera: {
      locationClass: facts.camera.location_class,
      nearClassifiedSite: facts.camera.near_military_area,
      siteConsent: facts.camera.site_consent_ref !== null,
    },
    system: { ...systemDates(facts.system), retentionDays: facts.system.retention_days, category: facts.system.legal_basis },
    person: record === undefined ? undefined : { active: record.active && homeUnit?.active !== false, ...personDates(record) },
    rolePermits: snapshot.index.allows(person, domain, request.camera_id, request.action) || grantCovers === true,
    grant: grantCovers === undefined ? 'none' : grantCovers ? 'valid' : 'invalid',
    maintainerOnly:
      homeUnit?.kind === 'entrusted_operator' || (roles.length > 0 && roles.every((role) => role === MAINTENANCE_ROLE)),
    // A hold placed with the grant's request keeps its window accessible for that case.
    legalHoldCovers: grantCovers === true && hold !== undefined && holdCovers(hold, request),
    publicationConsent: request.publication_consent !== undefined,
  };
}

/** Whether a grant lets `person` take this action on this camera and window now. */
function covers(grant: GrantRow, person: string, unit: string, request: DecisionRequest, at: Date): boolean {
  return (
    grant.grantee === person &&
    grant.unitId === unit &&
    grantStatusAt(grant, at) === 'active' &&
    grant.cameraIds.includes(request.camera_id) &&
    grant.actions.includes(request.action) &&
    (request.window === undefined || windowWithin(request.window, grant.window))
  );
}

function holdCovers(hold: HoldRow, request: DecisionRequest): boolean {
  return (
    hold.releasedAt === null &&
    hold.cameraIds.includes(request.camera_id) &&
    request.window !== undefined &&
    windowWithin(request.window, hold.window)
  );
}

/**
 * A record's dates, parsed once per record: records of an access snapshot are replaced, never changed
 * in place, when the registry changes. The rules only read the dates.
 */
function parsedOnce<R extends object, D>(parse: (record: R) => D): (record: R) => D {
  const parsed = new WeakMap<R, D>();
  return (record) => {
    let dates = parsed.get(record);
    if (dates === undefined) {
      dates = parse(record);
      parsed.set(record, dates);
    }
    return dates;
  };
}

const systemDates = parsedOnce((system: SystemRecord) => ({
  wentLiveOn: new Date(system.went_live_on),
  filedOn: system.filing === null ? null : new Date(system.filing.filed_on),
}));

const personDates = parsedOnce((record: PersonRecord) => ({
  trainingValidUntil: endOfDay(record.training_valid_until),
  confidentialitySignedOn: record.confidentiality_signed_on === null ? null : new Date(record.confidentiality_signed_on),
}));

/** Training "valid until" a day is valid through that whole day (UTC). */
function endOfDay(day: string | null): Date | null {
  return day === null ? null : new Date(`${day}T23:59:59.999Z`);
}
