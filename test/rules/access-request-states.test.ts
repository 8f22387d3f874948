import t from 'tap';
import {
  grantStatus,
  type RequestEvent,
  type RequestState,
  replayRequest,
  submitted,
  TransitionError,
  transition,
} from '../../src/rules/access-request-states.js';

const NOW = new Date('2026-11-29T08:00:00.000Z');
const LATER = new Date('2026-12-02T08:00:00.000Z');
const EARLIER = new Date('2026-11-28T08:00:00.000Z');

const pending = submitted('officer-zhou', false);
const pendingExport = submitted('officer-zhou', true);
const halfApproved = transition(pendingExport, { type: 'approve', actor: 'approver-li', validUntil: LATER }, NOW);
const approved = transition(pending, { type: 'approve', actor: 'approver-li', validUntil: LATER }, NOW);
const lapsed: RequestState = { ...approved, grant: { validUntil: EARLIER.toISOString() } };
const revoked = transition(approved, { type: 'revoke', actor: 'approver-li', at: NOW }, NOW);
const rejected = transition(pending, { type: 'reject', actor: 'approver-li' }, NOW);
const withdrawn = transition(pending, { type: 'withdraw', actor: 'officer-zhou' }, NOW);

const STATES: Record<string, RequestState> = {
  submitted: pending,
  'submitted, export, one approval': halfApproved,
  'approved, grant active': approved,
  'approved, grant expired': lapsed,
  'approved, grant revoked': revoked,
  rejected,
  withdrawn,
};

const EVENTS: Record<string, RequestEvent> = {
  'approve by an approver': { type: 'approve', actor: 'approver-wu', validUntil: LATER },
  'approve by the requester': { type: 'approve', actor: 'officer-zhou', validUntil: LATER },
  'approve by the first approver again': { type: 'approve', actor: 'approver-li', validUntil: LATER },
  'reject by an approver': { type: 'reject', actor: 'approver-wu' },
  'reject by the requester': { type: 'reject', actor: 'officer-zhou' },
  'withdraw by the requester': { type: 'withdraw', actor: 'officer-zhou' },
  'withdraw by someone else': { type: 'withdraw', actor: 'approver-wu' },
  revoke: { type: 'revoke', actor: 'approver-wu', at: NOW },
};

/** What each (state, event) leads to: a status and grant status, or the error code. */
const EXPECTED: Record<string, Record<string, string>> = {
  submitted: {
    'approve by an approver': 'approved/active',
    'approve by the requester': 'own-request',
    'approve by the first approver again': 'approved/active',
    'reject by an approver': 'rejected',
    'reject by the requester': 'own-request',
    'withdraw by the requester': 'withdrawn',
    'withdraw by someone else': 'not-requester',
    revoke: 'illegal-transition',
  },
  'submitted, export, one approval': {
    'approve by an approver': 'approved/active',
    'approve by the requester': 'own-request',
    'approve by the first approver again': 'same-approver',
    'reject by an approver': 'rejected',
    'reject by the requester': 'own-request',
    'withdraw by the requester': 'withdrawn',
    'withdraw by someone else': 'not-requester',
    revoke: 'illegal-transition',
  },
  'approved, grant active': {
    'approve by an approver': 'illegal-transition',
    'approve by the requester': 'illegal-transition',
    'approve by the first approver again': 'illegal-transition',
    'reject by an approver': 'illegal-transition',
    'reject by the requester': 'illegal-transition',
    'withdraw by the requester': 'illegal-transition',
    'withdraw by someone else': 'illegal-transition',
    revoke: 'approved/revoked',
  },
};
for (const state of ['approved, grant expired', 'approved, grant revoked', 'rejected', 'withdrawn']) {
  EXPECTED[state] = Object.fromEntries(Object.keys(EVENTS).map((event) => [event, 'illegal-transition']));
}

function outcome(state: RequestState, event: RequestEvent): string {
  try {
    const next = transition(state, event, NOW);
    const grant = grantStatus(next, NOW);
    return grant === undefined ? next.status : `${next.status}/${grant}`;
  } catch (error) {
    if (error instanceof TransitionError) return error.code;
    throw error;
  }
}

t.test('every event in every state: the legal transitions and the refused ones', async (t) => {
  for (const [stateName, state] of Object.entries(STATES)) {
    for (const [eventName, event] of Object.entries(EVENTS)) {
      t.equal(outcome(state, event), EXPECTED[stateName]?.[eventName], `${stateName} + ${eventName}`);
    }
  }
});

t.test('an export needs two distinct approvers; anything else one', async (t) => {
  t.equal(halfApproved.status, 'submitted', 'one approval of an export leaves it submitted');
  t.same(halfApproved.approvers, ['approver-li']);
  t.equal(grantStatus(halfApproved, NOW), undefined, 'and issues no grant');
  const both = transition(halfApproved, { type: 'approve', actor: 'approver-wu', validUntil: LATER }, NOW);
  t.same(both.approvers, ['approver-li', 'approver-wu']);
  t.same(both.grant, { validUntil: LATER.toISOString() }, 'the second approval issues the grant');
  t.equal(approved.status, 'approved', 'a view-only request is approved by one approver');
});

t.test('a grant is active until its end, then expired; revocation records when', async (t) => {
  t.equal(grantStatus(approved, NOW), 'active');
  t.equal(grantStatus(approved, LATER), 'expired', 'at its end it has expired');
  t.same(revoked.grant, { validUntil: LATER.toISOString(), revokedAt: NOW.toISOString() });
  t.throws(
    () => transition(approved, EVENTS.revoke as RequestEvent, LATER),
    { code: 'illegal-transition' },
    'an expired grant is not revoked',
  );
  t.throws(() => transition(rejected, EVENTS.revoke as RequestEvent, NOW), { message: 'cannot revoke a rejected request' });
});

t.test('a replayed history must start with its submission and hold only request events', async (t) => {
  t.throws(() => replayRequest([]), { code: 'illegal-transition' });
  const start = {
    kind: 'access_request.submitted',
    time: NOW.toISOString(),
    payload: { requester: { subject: 'z' }, scope: { actions: ['live'] } },
  };
  t.throws(() => replayRequest([start, { kind: 'decision.made', time: NOW.toISOString(), payload: {} }]), {
    code: 'illegal-transition',
  });
  t.throws(
    () =>
      replayRequest([
        start,
        { kind: 'access_request.approved', time: NOW.toISOString(), payload: { approver: 'z', grant: null } },
      ]),
    { code: 'own-request' },
    'a history the state machine refuses is refused on replay',
  );
  t.match(replayRequest([start]), { status: 'submitted', approvalsNeeded: 1, grantId: null });
});

t.test('an approval that puts export in scope raises the approvals needed to two', async (t) => {
  const viewOnly = submitted('citizen', false);
  const widened = transition(viewOnly, { type: 'approve', actor: 'approver-li', validUntil: LATER, approvalsNeeded: 2 }, NOW);
  t.match(widened, { status: 'submitted', approvalsNeeded: 2, approvers: ['approver-li'] });
  const done = transition(widened, { type: 'approve', actor: 'approver-wu', validUntil: LATER }, NOW);
  t.match(done, { status: 'approved', approvalsNeeded: 2 }, 'a later approval does not lower it');
});
