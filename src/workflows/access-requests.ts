/**
 * State-organ access requests: submission with the legal basis, approval or rejection
 * by the target unit's approvers (four-eyes when export is asked for), withdrawal by the requester,
 * and the time-boxed grant an approval issues, revocable by the unit. Each transition is one ledger
 * entry written in the transaction that changes the request; the rules live in
 * access-request-states.ts.
 */

import { randomUUID } from 'node:crypto';
import type { Receipt } from '../ledger-store/ledger-appender.js';
import { grantStatusAt, type RequestState, transition } from '../rules/access-request-states.js';
import type { Caller } from '../rules/caller.js';
import { actorOf } from '../rules/caller.js';
import { DomainError, type DomainErrorCode } from '../rules/domain-error.js';
import { windowWithin } from '../rules/time-window.js';
import {
  type GrantRow,
  type HoldRow,
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
import type { Executor } from '../storage/transaction.js';
import { announceAccessChange } from './access-state.js';
import type { ServiceContext } from './service-context.js';

export const REQUEST_ACTIONS = ['live', 'playback', 'export'] as const;
type RequestAction = (typeof REQUEST_ACTIONS)[number];

export interface Scope {
  readonly camera_ids: readonly string[];
  readonly window: { readonly from: string; readonly to: string };
  readonly actions: readonly RequestAction[];
}

export type { RequestSettings } from '../rules/access-request-records.js';

/**
 * What the request workflows use: the database, the writer, the vault, the access state (read for
 * the registry, and applied again after a change that takes access away commits) and the settings.
 */
export type RequestContext = Pick<ServiceContext, 'db' | 'writer' | 'vault' | 'access' | 'requests' | 'profile'>;

export type RequestErrorCode = Extract<DomainErrorCode, 'invalid' | 'not-found' | 'changed-concurrently' | 'grant-not-active'>;

export class RequestError extends DomainError<RequestErrorCode> {}

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

/**
 * An approval may narrow the cameras, window and actions asked for, never widen them, except by the
 * actions the profile lets a unit add to an individual's request.
 */
function narrower(asked: RequestRow, scope: Scope, unitMayAdd: ReadonlySet<string>): void {
  scope.camera_ids.forEach((id, i) => {
    if (!asked.cameraIds.includes(id))
      throw new RequestError('invalid', `camera ${id} was not asked for`, `scope/camera_ids/${i}`);
  });
  scope.actions.forEach((action, i) => {
    if (!asked.actions.includes(action) && !(asked.kind === 'emergency' && unitMayAdd.has(action))) {
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
  if (verdict.scope !== undefined) narrower(request, verdict.scope, context.profile.individualAccess.unitMayAdd);
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
      actor: actorOf(caller),
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
      actor: actorOf(caller),
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

/** A measure a unit ends: a grant it issued (revoked) or a legal hold it placed (released). */
interface Measure {
  readonly id: string;
  readonly requestId: string;
  readonly unitId: string;
}

const MEASURES = {
  grant: {
    label: 'grant',
    entryKind: 'grant.revoked',
    idMember: 'grant_id',
    atMember: 'revoked_at',
    read: (db: Executor, id: string, forUpdate = false) => readGrant(db, id, { forUpdate }),
    endedBecause: (grant: GrantRow, now: Date) => {
      const status = grantStatusAt(grant, now);
      return status === 'active' ? undefined : status;
    },
    end: revokeGrant,
  },
  hold: {
    label: 'legal hold',
    entryKind: 'legal_hold.released',
    idMember: 'hold_id',
    atMember: 'released_at',
    read: (db: Executor, id: string, forUpdate = false) => readHold(db, id, { forUpdate }),
    endedBecause: (hold: HoldRow) => (hold.releasedAt === null ? undefined : 'released'),
    end: releaseHold,
  },
} as const;

export type MeasureKind = keyof typeof MEASURES;

/**
 * Ends a grant (revocation) or a legal hold (release) of the caller's unit, for a caller who may
 * decide access requests there; anything else is answered as absent. Recorded as `grant.revoked`
 * or `legal_hold.released`; every replica drops what it gave (NOTIFY) before the answer.
 */
export async function endMeasure(
  context: RequestContext,
  caller: Caller,
  kind: MeasureKind,
  id: string,
  reason: string,
  now = new Date(),
): Promise<{ readonly measure: Measure; readonly receipt: Receipt }> {
  const table = MEASURES[kind];
  const read = table.read as (
    db: Executor,
    id: string,
    forUpdate?: boolean,
  ) => Promise<(Measure & (GrantRow | HoldRow)) | undefined>;
  const endedBecause = table.endedBecause as (row: GrantRow | HoldRow, now: Date) => string | undefined;
  const measure = await read(context.db, id);
  const decides = context.access.current.index.allows(caller.subject, caller.unit, 'access_request', 'decide');
  if (measure === undefined || measure.unitId !== caller.unit || !decides) {
    throw new RequestError('not-found', `no ${table.label} ${id} of unit ${caller.unit} that this caller may end`);
  }
  const ended = endedBecause(measure, now);
  if (ended !== undefined) throw new RequestError('grant-not-active', `${table.label} ${id} is ${ended}`);
  const receipt = await context.writer.record(
    {
      kind: table.entryKind,
      actor: actorOf(caller),
      payload: { [table.idMember]: id, request_id: measure.requestId, reason, [table.atMember]: now.toISOString() },
    },
    async (trx) => {
      const current = await read(trx, id, true);
      const again = current === undefined ? 'gone' : endedBecause(current, now);
      if (again !== undefined) throw new RequestError('grant-not-active', `${table.label} ${id} is ${again}`);
      await table.end(trx, id, now);
      await announceAccessChange(trx);
    },
    id,
  );
  await context.access.applyCommitted();
  return { measure, receipt };
}
