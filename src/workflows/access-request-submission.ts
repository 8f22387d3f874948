/**
 * Submitting access requests: by a state organ with its legal basis and officers, or by
 * a person in an emergency — the person concerned, a close relative or someone with a duty of care —
 * for live view and playback. The request's details that are personal enter the ledger
 * sealed; the request row keeps what approval and filtering need.
 */
import { randomUUID } from 'node:crypto';
import type { Receipt } from '../ledger-store/ledger-appender.js';
import type { Vault } from '../ledger-store/vault.js';
import type { Caller } from '../rules/caller.js';
import { actorOf } from '../rules/caller.js';
import { insertRequest } from '../storage/access-request-repository.js';
import { type RequestContext, RequestError, type Scope } from './access-requests.js';
import type { AccessSnapshot } from './access-state.js';

export interface StateOrganRequest {
  readonly target_unit: string;
  readonly legal_basis: {
    readonly statute: string;
    readonly document_no: string;
    readonly case_no: string;
    readonly document_sha256: string;
  };
  readonly officers: readonly { readonly name: string; readonly badge_no: string }[];
  readonly scope: Scope;
  readonly purpose: string;
  readonly reason: string;
  /** How long the grant should last; at most the configured maximum, which is also the default. */
  readonly expiry_hours?: number;
  /** Ask the unit to preserve the window beyond retention for this case. */
  readonly legal_hold?: boolean;
}

export const EMERGENCY_NATURES = ['life', 'health', 'major_property'] as const;
export const EMERGENCY_RELATIONSHIPS = ['self', 'close_relative', 'duty_of_care'] as const;

export interface EmergencyRequest {
  readonly target_unit: string;
  readonly emergency: {
    readonly nature: (typeof EMERGENCY_NATURES)[number];
    readonly relationship: (typeof EMERGENCY_RELATIONSHIPS)[number];
    readonly name: string;
    readonly contact: string;
    readonly description: string;
  };
  /** Live view and playback only. */
  readonly scope: Scope;
  readonly reason: string;
  readonly expiry_hours?: number;
}

/** The searchable token of a case number (the number itself is sealed in the ledger only). */
export function caseToken(vault: Vault, caseNo: string): string {
  return vault.searchToken('case_no', caseNo);
}

function checkScope(snapshot: AccessSnapshot, unit: string, scope: Scope, now: Date): void {
  scope.camera_ids.forEach((id, i) => {
    const facts = snapshot.cameras.get(id);
    if (facts === undefined || !facts.camera.active || facts.unit.id !== unit) {
      throw new RequestError('not-found', `no active camera ${id} of unit ${unit}`, `scope/camera_ids/${i}`);
    }
  });
  if (Date.parse(scope.window.to) < Date.parse(scope.window.from)) {
    throw new RequestError('invalid', 'must not be before from', 'scope/window/to');
  }
  if (Date.parse(scope.window.from) > now.getTime()) {
    throw new RequestError('invalid', 'footage that does not exist yet cannot be requested', 'scope/window/from');
  }
}

function expiryOf(asked: number | undefined, longest: number): number {
  const hours = asked ?? longest;
  if (hours > longest) throw new RequestError('invalid', `at most ${longest} hours`, 'expiry_hours');
  return hours;
}

function requireUnit(snapshot: AccessSnapshot, unit: string): void {
  const found = snapshot.units.get(unit);
  if (found === undefined || !found.active) throw new RequestError('not-found', `no active unit ${unit}`, 'target_unit');
}

/** Records the submission and inserts the request row in the entry's transaction. */
async function recordSubmission(
  context: RequestContext,
  caller: Caller,
  kind: 'state_organ' | 'emergency',
  scope: Scope,
  targetUnit: string,
  details: Record<string, unknown>,
  row: { approvalsNeeded: 1 | 2; caseNo: string | null; expiryHours: number; legalHold: boolean },
): Promise<{ id: string; receipt: Receipt }> {
  const id = randomUUID();
  const receipt = await context.writer.record(
    {
      kind: 'access_request.submitted',
      actor: actorOf(caller),
      payload: {
        request_id: id,
        request_kind: kind,
        requester: { subject: caller.subject, unit: caller.unit },
        target_unit: targetUnit,
        scope,
        ...details,
        expiry_hours: row.expiryHours,
        legal_hold: row.legalHold,
      },
    },
    (trx, seq) =>
      insertRequest(trx, {
        id,
        kind,
        requester: caller.subject,
        requesterUnit: caller.unit,
        targetUnit,
        cameraIds: scope.camera_ids,
        window: scope.window,
        actions: scope.actions,
        submittedSeq: seq,
        ...row,
      }),
    id,
  );
  return { id, receipt };
}

export function submitStateOrganRequest(
  context: RequestContext,
  caller: Caller,
  request: StateOrganRequest,
  now: Date = new Date(),
): Promise<{ id: string; receipt: Receipt }> {
  const settings = context.requests;
  requireUnit(context.access.current, request.target_unit);
  checkScope(context.access.current, request.target_unit, request.scope, now);
  if (request.officers.length < settings.officersRequired) {
    throw new RequestError('invalid', `at least ${settings.officersRequired} officers must be named`, 'officers');
  }
  const details = {
    legal_basis: request.legal_basis,
    officers: request.officers.map((officer) => ({ ...officer, subject: `officer:${officer.badge_no}` })),
    purpose: request.purpose,
    reason: request.reason,
  };
  return recordSubmission(context, caller, 'state_organ', request.scope, request.target_unit, details, {
    approvalsNeeded: request.scope.actions.includes('export') ? 2 : 1,
    caseNo: caseToken(context.vault, request.legal_basis.case_no),
    expiryHours: expiryOf(request.expiry_hours, settings.stateOrganGrantHours),
    legalHold: request.legal_hold === true,
  });
}

export function submitEmergencyRequest(
  context: RequestContext,
  caller: Caller,
  request: EmergencyRequest,
  now: Date = new Date(),
): Promise<{ id: string; receipt: Receipt }> {
  requireUnit(context.access.current, request.target_unit);
  checkScope(context.access.current, request.target_unit, request.scope, now);
  const allowed = context.profile.individualAccess.actions;
  request.scope.actions.forEach((action, i) => {
    if (!allowed.has(action)) {
      throw new RequestError(
        'invalid',
        `an individual's request asks for ${[...allowed].join(' and ')} only`,
        `scope/actions/${i}`,
      );
    }
  });
  const details = { emergency: request.emergency, reason: request.reason };
  return recordSubmission(context, caller, 'emergency', request.scope, request.target_unit, details, {
    approvalsNeeded: 1,
    caseNo: null,
    expiryHours: expiryOf(request.expiry_hours, context.requests.emergencyGrantHours),
    legalHold: false,
  });
}
