/**
 * Deciding an access (POST /v1/decisions): gather the facts from the access snapshot, apply the
 * article rules (access-rules.ts), record the decision — allow or deny alike — as a `decision.made`
 * entry, and answer only after it is committed. If the entry cannot be written the caller gets an
 * error and no allow leaves the service.
 */
import { randomUUID } from 'node:crypto';
import type { Receipt } from '../ledger/receipt.js';
import type { Finding, Outcome } from '../rules/access-rules.js';
import { decide as applyRules } from '../rules/access-rules.js';
import type { Caller } from '../rules/caller.js';
import { actorOf } from '../rules/caller.js';
import { type DecisionRequest, gatherFacts, mayAskWithoutGrant, VALIDITY_SECONDS } from '../rules/decision-facts.js';
import { DomainError } from '../rules/domain-error.js';
import type { RegulationProfile } from '../rules/regulation-profile.js';
import { actsFor } from '../rules/unit-scope.js';
import { countGrantUse, type GrantRow, type HoldRow, holdOfRequest, readGrant } from '../storage/access-request-repository.js';
import type { Executor } from '../storage/transaction.js';
import type { AccessSnapshot, AccessState } from './access-state.js';
import type { LedgerWriter } from './ledger-writer.js';

export { ACTIONS, DecisionError, type DecisionRequest, VALIDITY_SECONDS } from '../rules/decision-facts.js';

export interface Decision {
  readonly decisionId: string;
  /** The end of the grant the decision was asked under, if any: an allow lasts no longer. */
  readonly grantValidUntil: string | null;
  readonly outcome: Outcome;
  readonly validUntil: string | null;
  readonly receipt: Receipt;
}

function finding(item: Finding) {
  return { code: item.code, article: item.article, message: item.message };
}

export async function makeDecision(
  { writer, profile, policyVersion }: Pick<DecideContext, 'writer' | 'profile' | 'policyVersion'>,
  snapshot: AccessSnapshot,
  caller: Caller,
  request: DecisionRequest,
  grant?: GrantRow,
  hold?: HoldRow,
  now: Date = new Date(),
): Promise<Decision> {
  const person = request.on_behalf_of?.subject ?? caller.subject;
  // The rules read the facts; the unit the camera belongs to is recorded beside them.
  const facts = gatherFacts(snapshot, person, request, now, grant, hold);
  const outcome = applyRules(facts, profile);
  const decisionId = randomUUID();
  const validUntil =
    outcome.decision === 'allow' ? new Date(now.getTime() + VALIDITY_SECONDS[request.action] * 1000).toISOString() : null;
  const receipt = await writer.record(
    {
      kind: 'decision.made',
      actor: actorOf(caller),
      payload: {
        decision_id: decisionId,
        camera_id: request.camera_id,
        unit_id: facts.unitId,
        person: request.on_behalf_of ?? { subject: person },
        action: request.action,
        window: request.window ?? null,
        purpose: request.purpose,
        reason: request.reason,
        grant_id: request.grant_id ?? null,
        publication_consent: request.publication_consent ?? null,
        decision: outcome.decision,
        reasons: outcome.reasons.map((item) => item.code),
        obligations: outcome.obligations.map((item) => item.code),
        valid_until: validUntil,
        policy_version: policyVersion,
      },
    },
    // An allow under a grant counts as one of the grant's uses, in the same transaction.
    grant !== undefined && facts.grant === 'valid' && outcome.decision === 'allow'
      ? (trx) => countGrantUse(trx, grant.id)
      : undefined,
    decisionId,
  );
  return { decisionId, outcome, validUntil, receipt, grantValidUntil: grant?.validUntil ?? null };
}

export function presentDecision<R>(decision: Decision, receipt: R) {
  return {
    decision_id: decision.decisionId,
    decision: decision.outcome.decision,
    reasons: decision.outcome.reasons.map(finding),
    obligations: decision.outcome.obligations.map((item) => ({ code: item.code, article: item.article, detail: item.message })),
    valid_until: decision.validUntil,
    receipt,
  };
}

export interface DecideContext {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  readonly profile: RegulationProfile;
  /** The version of the rules in force (rules/policy-version.ts), named by every decision entry. */
  readonly policyVersion: string;
}

/**
 * Decides and records one access (the gate and POST /v1/decisions alike): the grant the request
 * names and the legal hold placed with it are read, the rules applied to `snapshot`, and the
 * decision recorded before it is answered.
 */
export async function decide(
  context: DecideContext,
  snapshot: AccessSnapshot,
  caller: Caller,
  request: DecisionRequest,
  now: Date = new Date(),
): Promise<Decision> {
  const grant = request.grant_id === undefined ? undefined : await readGrant(context.db, request.grant_id);
  const hold = grant === undefined ? undefined : await holdOfRequest(context.db, grant.requestId);
  return makeDecision(context, snapshot, caller, request, grant, hold, now);
}

export class AskError extends DomainError<'decision-not-permitted' | 'on-behalf-not-permitted'> {}

/**
 * Why a caller may not decide on behalf of `person`, or undefined: it needs decision:on_behalf (the
 * gateway role) in its unit, and the person must be registered in that unit or in a unit that has
 * entrusted it — a gateway speaks for its own unit's people, never another's.
 */
function onBehalfRefusal(snapshot: AccessSnapshot, caller: Caller, person: string): string | undefined {
  if (!snapshot.index.allows(caller.subject, caller.unit, 'decision', 'on_behalf')) {
    return 'only a gateway may decide on behalf of a person';
  }
  const record = snapshot.personnel.get(person);
  if (record === undefined || !actsFor(snapshot, caller.unit, record.unit_id)) {
    return `the person is not registered in unit ${caller.unit} or a unit that entrusted it`;
  }
  return undefined;
}

/**
 * A decision asked through the API: the caller needs decision:create in their unit or the
 * camera's (a contractor's roles are held in the units they work for), or a grant to ask under (an
 * emergency requester has no role anywhere); `on_behalf_of` needs the gateway's scope. Checked and
 * decided on one snapshot of the registry and policy.
 */
export async function decideAsked(
  context: DecideContext & { readonly access: AccessState },
  caller: Caller,
  request: DecisionRequest,
): Promise<Decision> {
  const snapshot = context.access.current;
  const cameraUnit = snapshot.cameras.get(request.camera_id)?.unit.id;
  const mayAsk = request.grant_id !== undefined || mayAskWithoutGrant(snapshot, caller, cameraUnit);
  if (!mayAsk)
    throw new AskError('decision-not-permitted', `decision:create is not permitted for this caller in unit ${caller.unit}`);
  if (request.on_behalf_of !== undefined) {
    const refusal = onBehalfRefusal(snapshot, caller, request.on_behalf_of.subject);
    if (refusal !== undefined) throw new AskError('on-behalf-not-permitted', refusal, 'on_behalf_of');
  }
  return decide(context, snapshot, caller, request);
}
