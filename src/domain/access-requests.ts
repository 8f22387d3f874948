/**
 * State-organ access requests (Article 24): submission with the legal basis, approval or rejection
 * by the target unit's approvers (four-eyes when export is asked for), withdrawal by the requester,
 * and the time-boxed grant an approval issues, revocable by the unit. Each transition is one ledger
 * entry written in the transaction that changes the request; the rules live in
 * access-request-states.ts.
 */
import { randomUUID } from 'node:crypto';
import {
  insertGrant,
  insertHold,
  type RequestRow,
  readGrant,
  readHold,
  readRequest,
  releaseHold,
  revokeGrant,
  updateRequestState,
} from '../storage/access-request-repository.js';
import type { Receipt } from '../storage/ledger-appender.js';
import type { Executor } from '../storage/transaction.js';
import type { Vault } from '../storage/vault.js';
import { grantStatusAt, type RequestState, transition } from './access-request-states.js';
import type { AccessSnapshot } from './access-state.js';
import { announceAccessChange } from './access-state.js';
import type { Caller } from './caller.js';
import type { LedgerWriter } from './ledger-writer.js';
import { windowWithin } from './time-window.js';

export const REQUEST_ACTIONS = ['live', 'playback', 'export'] as const;
type RequestAction = (typeof REQUEST_ACTIONS)[number];

export interface Scope {
  readonly camera_ids: readonly string[];
  readonly window: { readonly from: string; readonly to: string };
  readonly actions: readonly RequestAction[];
}

export interface RequestSettings {
  /** Officers a state-organ request must name (Article 24: two by default). */
  readonly officersRequired: number;
  /** Default and longest grant of a state-organ request, in hours (72 by default). */
  readonly stateOrganGrantHours: number;
  /** Default and longest grant of an emergency request, in hours (4 by default). */
  readonly emergencyGrantHours: number;
}

export interface RequestContext {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  readonly vault: Vault;
  readonly snapshot: () => AccessSnapshot;
  readonly settings: RequestSettings;
  /** Called after a change that takes access away (a revoked grant, a released hold) commits. */
  readonly accessChanged: () => Promise<void>;
}

export type RequestErrorCode = 'invalid' | 'not-found' | 'changed-concurrently' | 'grant-not-active';

export class RequestError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

function stateOf(row: RequestRow): RequestState {
  return { status: row.status, requester: row.requester, approvalsNeeded: row.approvalsNeeded, approvers: row.approvers };
}

export type Verdict = 'approve' | 'reject';

export interface DecisionOnRequest {
  readonly decision: Verdict;
  readonly reason: string;
  /** A narrower scope than asked for (approval only). */
  readonly scope?: Scope;
}

/** An approval may narrow the cameras, window and actions asked for, never widen them. */
function narrower(asked: RequestRow, scope: Scope): void {
  scope.camera_ids.forEach((id, i) => {
    if (!asked.cameraIds.includes(id))
      throw new RequestError('invalid', `camera ${id} was not asked for`, `scope/camera_ids/${i}`);
  });
  // The unit may widen an emergency request beyond viewing (Article 25); nothing else is widened.
  scope.actions.forEach((action, i) => {
    if (asked.kind !== 'emergency' && !asked.actions.includes(action)) {
      throw new RequestError('invalid', `${action} was not asked for`, `scope/actions/${i}`);
    }
  });
  if (!windowWithin(scope.window, asked.window))
    throw new RequestError('invalid', 'must lie inside the window asked for', 'scope/window');
}

/** Records an approver's approval or rejection; the approval that completes the request issues the grant. */
export async function decideOnRequest(
  context: RequestContext,
  caller: Caller,
  request: RequestRow,
  verdict: DecisionOnRequest,
  now: Date = new Date(),
): Promise<{ status: RequestRow['status']; grantId: string | null; holdId: string | null; receipt: Receipt }> {
  if (verdict.decision === 'reject' && verdict.scope !== undefined) {
    throw new RequestError('invalid', 'a rejection narrows nothing', 'scope');
  }
  if (verdict.scope !== undefined) narrower(request, verdict.scope);
  const validUntil = new Date(now.getTime() + request.expiryHours * 3_600_000);
  const next = transition(
    stateOf(request),
    verdict.decision === 'approve'
      ? {
          type: 'approve',
          actor: caller.subject,
          validUntil,
          approvalsNeeded: verdict.scope?.actions.includes('export') === true ? 2 : 1,
        }
      : { type: 'reject', actor: caller.subject },
    now,
  );
  const scope = verdict.scope ?? { camera_ids: request.cameraIds, window: request.window, actions: request.actions };
  const grantId = next.grant === undefined ? null : randomUUID();
  const holdId = grantId !== null && request.legalHold ? randomUUID() : null;
  const receipt = await context.writer.record(
    {
      kind: verdict.decision === 'approve' ? 'access_request.approved' : 'access_request.rejected',
      actor: { unit: caller.unit, subject: caller.subject },
      payload: {
        request_id: request.id,
        approver: caller.subject,
        approvals: next.approvers.length,
        approvals_needed: next.approvalsNeeded,
        status: next.status,
        reason: verdict.reason,
        grant:
          grantId === null
            ? null
            : { grant_id: grantId, grantee: request.requester, ...scope, valid_until: validUntil.toISOString() },
        legal_hold: holdId === null ? null : { hold_id: holdId, camera_ids: scope.camera_ids, window: scope.window },
      },
    },
    async (trx) => {
      const current = await readRequest(trx, request.id, { forUpdate: true });
      if (current?.status !== request.status || current.approvers.join() !== request.approvers.join()) {
        throw new RequestError('changed-concurrently', `request ${request.id} was changed meanwhile; read it again`);
      }
      await updateRequestState(trx, request.id, next);
      if (grantId !== null) {
        await insertGrant(trx, {
          id: grantId,
          requestId: request.id,
          grantee: request.requester,
          unitId: request.targetUnit,
          cameraIds: scope.camera_ids,
          window: scope.window,
          actions: scope.actions,
          validUntil: validUntil.toISOString(),
        });
      }
      if (holdId !== null) {
        await insertHold(trx, {
          id: holdId,
          requestId: request.id,
          unitId: request.targetUnit,
          cameraIds: scope.camera_ids,
          window: scope.window,
        });
      }
    },
    request.id,
  );
  return { status: next.status, grantId, holdId, receipt };
}

export async function withdrawRequest(context: RequestContext, caller: Caller, request: RequestRow, now = new Date()) {
  const next = transition(stateOf(request), { type: 'withdraw', actor: caller.subject }, now);
  return context.writer.record(
    {
      kind: 'access_request.withdrawn',
      actor: { unit: caller.unit, subject: caller.subject },
      payload: { request_id: request.id, status: next.status },
    },
    async (trx) => {
      const current = await readRequest(trx, request.id, { forUpdate: true });
      if (current?.status !== 'submitted')
        throw new RequestError('changed-concurrently', `request ${request.id} was changed meanwhile`);
      await updateRequestState(trx, request.id, next);
    },
    request.id,
  );
}

export async function revokeGrantOf(context: RequestContext, caller: Caller, grantId: string, reason: string, now = new Date()) {
  const grant = await readGrant(context.db, grantId);
  if (grant === undefined) throw new RequestError('not-found', `no grant ${grantId}`);
  const status = grantStatusAt(grant, now);
  if (status !== 'active') throw new RequestError('grant-not-active', `grant ${grantId} is ${status}`);
  const receipt = await context.writer.record(
    {
      kind: 'grant.revoked',
      actor: { unit: caller.unit, subject: caller.subject },
      payload: { grant_id: grantId, request_id: grant.requestId, reason, revoked_at: now.toISOString() },
    },
    async (trx) => {
      const current = await readGrant(trx, grantId, { forUpdate: true });
      if (current?.revokedAt !== null) throw new RequestError('grant-not-active', `grant ${grantId} is revoked`);
      await revokeGrant(trx, grantId, now);
      await announceAccessChange(trx);
    },
    grantId,
  );
  await context.accessChanged();
  return { grant, receipt };
}

/** Releases a legal hold: from then on the retention rule applies to its window again. */
export async function releaseLegalHold(
  context: RequestContext,
  caller: Caller,
  holdId: string,
  reason: string,
  now = new Date(),
) {
  const hold = await readHold(context.db, holdId);
  if (hold === undefined) throw new RequestError('not-found', `no legal hold ${holdId}`);
  if (hold.releasedAt !== null) throw new RequestError('grant-not-active', `legal hold ${holdId} was released`);
  const receipt = await context.writer.record(
    {
      kind: 'legal_hold.released',
      actor: { unit: caller.unit, subject: caller.subject },
      payload: { hold_id: holdId, request_id: hold.requestId, reason, released_at: now.toISOString() },
    },
    async (trx) => {
      const current = await readHold(trx, holdId, { forUpdate: true });
      if (current?.releasedAt !== null) throw new RequestError('grant-not-active', `legal hold ${holdId} was released`);
      await releaseHold(trx, holdId, now);
      await announceAccessChange(trx);
    },
    holdId,
  );
  await context.accessChanged();
  return { hold, receipt };
}
