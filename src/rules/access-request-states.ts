/**
 * The life of an access request (a state organ's or an emergency's) as a pure state machine:
 *
 *   submitted → approved | rejected | withdrawn
 *   approved  → its grant: active → expired (by time) | revoked
 *
 * An approval needs the unit's approvers: two distinct ones when export is in scope (four-eyes),
 * one otherwise — also when an approver puts export in scope that was not asked for; nobody approves or rejects their own request; only the requester withdraws. The
 * last approval issues the grant. Every other event is an illegal transition (409).
 */
import { DomainError, type DomainErrorCode } from './domain-error.js';

export type RequestStatus = 'submitted' | 'approved' | 'rejected' | 'withdrawn';
export type GrantStatus = 'active' | 'expired' | 'revoked';

export interface RequestState {
  readonly status: RequestStatus;
  /** The subject who submitted it. */
  readonly requester: string;
  /** Distinct approvals needed: 2 when export is in scope, else 1. */
  readonly approvalsNeeded: 1 | 2;
  readonly approvers: readonly string[];
  /** Set once approved. */
  readonly grant?: { readonly validUntil: string; readonly revokedAt?: string };
}

export type RequestEvent =
  | {
      readonly type: 'approve';
      readonly actor: string;
      readonly validUntil: Date;
      /** 2 when this approval puts export in scope (a unit widening an emergency request). */
      readonly approvalsNeeded?: 1 | 2;
    }
  | { readonly type: 'reject'; readonly actor: string }
  | { readonly type: 'withdraw'; readonly actor: string }
  | { readonly type: 'revoke'; readonly actor: string; readonly at: Date };

export type TransitionErrorCode = Extract<
  DomainErrorCode,
  'illegal-transition' | 'own-request' | 'same-approver' | 'not-requester'
>;

export class TransitionError extends DomainError<TransitionErrorCode> {}

export function submitted(requester: string, exportInScope: boolean): RequestState {
  return { status: 'submitted', requester, approvalsNeeded: exportInScope ? 2 : 1, approvers: [] };
}

/** A grant's status at `now`: revoked once revoked, expired from its end on, else active. */
export function grantStatusAt(
  grant: { readonly validUntil: string; readonly revokedAt?: string | null },
  now: Date,
): GrantStatus {
  if (grant.revokedAt !== undefined && grant.revokedAt !== null) return 'revoked';
  return Date.parse(grant.validUntil) <= now.getTime() ? 'expired' : 'active';
}

/** The request's grant's status at `now`; undefined before approval. */
export function grantStatus(state: RequestState, now: Date): GrantStatus | undefined {
  return state.grant === undefined ? undefined : grantStatusAt(state.grant, now);
}

function illegal(state: RequestState, event: RequestEvent, now: Date): TransitionError {
  const where = state.status === 'approved' ? `a ${grantStatus(state, now)} grant` : `a ${state.status} request`;
  return new TransitionError('illegal-transition', `cannot ${event.type} ${where}`);
}

/** The state after `event` at `now`, or a TransitionError naming why it may not happen. */
export function transition(state: RequestState, event: RequestEvent, now: Date): RequestState {
  switch (event.type) {
    case 'approve': {
      if (state.status !== 'submitted') throw illegal(state, event, now);
      if (event.actor === state.requester) throw new TransitionError('own-request', 'nobody approves their own request');
      if (state.approvers.includes(event.actor)) {
        throw new TransitionError('same-approver', 'a second approval must come from another approver');
      }
      const approvers = [...state.approvers, event.actor];
      const approvalsNeeded = Math.max(state.approvalsNeeded, event.approvalsNeeded ?? 1) as 1 | 2;
      if (approvers.length < approvalsNeeded) return { ...state, approvers, approvalsNeeded };
      return { ...state, approvers, approvalsNeeded, status: 'approved', grant: { validUntil: event.validUntil.toISOString() } };
    }
    case 'reject':
      if (state.status !== 'submitted') throw illegal(state, event, now);
      if (event.actor === state.requester) throw new TransitionError('own-request', 'nobody rejects their own request');
      return { ...state, status: 'rejected' };
    case 'withdraw':
      if (state.status !== 'submitted') throw illegal(state, event, now);
      if (event.actor !== state.requester) throw new TransitionError('not-requester', 'only the requester withdraws a request');
      return { ...state, status: 'withdrawn' };
    case 'revoke': {
      if (grantStatus(state, now) !== 'active') throw illegal(state, event, now);
      const grant = state.grant as { validUntil: string };
      return { ...state, grant: { ...grant, revokedAt: event.at.toISOString() } };
    }
  }
}

/** An entry of a request's history as the ledger holds it (personal fields may be sealed). */
export interface HistoryEntry {
  readonly kind: string;
  readonly time: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * A request's state rebuilt from its ledger entries alone, in log order: the submission, each
 * approval, rejection or withdrawal, and a revocation of its grant. Replaying through `transition`
 * means the ledger and the workflow cannot disagree about what was allowed.
 */
export function replayRequest(entries: readonly HistoryEntry[]): RequestState & { readonly grantId: string | null } {
  const [first, ...rest] = entries;
  if (first?.kind !== 'access_request.submitted')
    throw new TransitionError('illegal-transition', 'a history starts with its submission');
  const scope = first.payload.scope as { actions: readonly string[] };
  const requester = (first.payload.requester as { subject: string }).subject;
  let state = submitted(requester, scope.actions.includes('export'));
  let grantId: string | null = null;
  for (const entry of rest) {
    const at = new Date(entry.time);
    const actor = String(entry.payload.approver ?? requester);
    if (entry.kind === 'access_request.approved') {
      const grant = entry.payload.grant as { grant_id: string; valid_until: string } | null;
      const approvalsNeeded = entry.payload.approvals_needed === 2 ? 2 : 1;
      state = transition(state, { type: 'approve', actor, validUntil: new Date(grant?.valid_until ?? at), approvalsNeeded }, at);
      grantId = grant?.grant_id ?? grantId;
    } else if (entry.kind === 'access_request.rejected') {
      state = transition(state, { type: 'reject', actor }, at);
    } else if (entry.kind === 'access_request.withdrawn') {
      state = transition(state, { type: 'withdraw', actor: requester }, at);
    } else if (entry.kind === 'legal_hold.released') {
      // A hold's release changes what retention allows, not the request's state.
    } else if (entry.kind === 'grant.revoked') {
      const revokedAt = new Date(String(entry.payload.revoked_at));
      state = transition(state, { type: 'revoke', actor: 'unit', at: revokedAt }, revokedAt);
    } else {
      throw new TransitionError('illegal-transition', `${entry.kind} is not part of a request's history`);
    }
  }
  return { ...state, grantId };
}
