/**
 * The life of an access request (Articles 24 and 25) as a pure state machine:
 *
 *   submitted → approved | rejected | withdrawn
 *   approved  → its grant: active → expired (by time) | revoked
 *
 * An approval needs the unit's approvers: two distinct ones when export is in scope (four-eyes),
 * one otherwise; nobody approves or rejects their own request; only the requester withdraws. The
 * last approval issues the grant. Every other event is an illegal transition (409).
 */

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
  | { readonly type: 'approve'; readonly actor: string; readonly validUntil: Date }
  | { readonly type: 'reject'; readonly actor: string }
  | { readonly type: 'withdraw'; readonly actor: string }
  | { readonly type: 'revoke'; readonly actor: string; readonly at: Date };

export type TransitionErrorCode = 'illegal-transition' | 'own-request' | 'same-approver' | 'not-requester';

export class TransitionError extends Error {
  constructor(
    readonly code: TransitionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TransitionError';
  }
}

export function submitted(requester: string, exportInScope: boolean): RequestState {
  return { status: 'submitted', requester, approvalsNeeded: exportInScope ? 2 : 1, approvers: [] };
}

/** The grant's status at `now`; undefined before approval. */
export function grantStatus(state: RequestState, now: Date): GrantStatus | undefined {
  if (state.grant === undefined) return undefined;
  if (state.grant.revokedAt !== undefined) return 'revoked';
  return Date.parse(state.grant.validUntil) <= now.getTime() ? 'expired' : 'active';
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
      if (approvers.length < state.approvalsNeeded) return { ...state, approvers };
      return { ...state, approvers, status: 'approved', grant: { validUntil: event.validUntil.toISOString() } };
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
