/**
 * Recording what a trusted system (the gateway role) reports and the service does not decide itself
 * (rules/ledger-events.ts): only about cameras and systems of the units the reporter acts for.
 */
import type { Receipt } from '../ledger/receipt.js';
import { actorOf, type Caller } from '../rules/caller.js';
import { DomainError } from '../rules/domain-error.js';
import { type EventKind, eventScopeRefusal } from '../rules/ledger-events.js';
import { recordedDecisions } from '../storage/decision-repository.js';
import type { ServiceContext } from './service-context.js';

export class EventScopeError extends DomainError<'event-out-of-scope'> {}

/** Records an event whose payload its kind's schema accepted; `field` of a refusal is below `payload`. */
export async function recordEvent(
  context: Pick<ServiceContext, 'access' | 'writer' | 'db'>,
  caller: Caller,
  kind: EventKind,
  payload: Record<string, unknown>,
): Promise<Receipt> {
  const outOfScope = eventScopeRefusal(context.access.current, caller.unit, payload);
  if (outOfScope !== undefined) throw new EventScopeError('event-out-of-scope', outOfScope.message, outOfScope.path.slice(1));
  if (kind.startsWith('playback.') && typeof payload.decision_id === 'string') {
    // A session is tied to the decision that allowed it: a recorded allow for the same camera.
    const decision = (await recordedDecisions(context.db, [payload.decision_id])).get(payload.decision_id);
    if (decision === undefined || !decision.allowed || decision.cameraId !== payload.camera_id) {
      throw new DomainError('invalid', 'is not a recorded allow for this camera', 'payload/decision_id');
    }
  }
  return context.writer.record({ kind, actor: actorOf(caller), payload });
}
