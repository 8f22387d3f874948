/**
 * How a gate answer goes back to a gateway: an allow is 204 (nginx and MediaMTX read only the
 * status) with the decision id, obligations and expiry as headers a proxy can forward; a deny is
 * 403 with the reason codes as a header and a problem+json body.
 */
import type { FastifyReply } from 'fastify';
import type { GateAnswer } from '../../workflows/gatekeeper.js';
import { ProblemError } from '../problem.js';

export const GATE_HEADERS = {
  decisionId: 'x-decision-id',
  obligations: 'x-obligations',
  validUntil: 'x-decision-valid-until',
  denyReasons: 'x-deny-reasons',
} as const;

export function sendGateAnswer(reply: FastifyReply, answer: GateAnswer): FastifyReply {
  if (answer.decisionId !== undefined) reply.header(GATE_HEADERS.decisionId, answer.decisionId);
  if (answer.outcome === 'allow') {
    reply.header(GATE_HEADERS.obligations, answer.obligations.join(','));
    reply.header(GATE_HEADERS.validUntil, answer.validUntil);
    reply.header('cache-control', 'no-store');
    return reply.code(204).send();
  }
  reply.header(GATE_HEADERS.denyReasons, answer.reasons.join(','));
  throw new ProblemError('forbidden', `access denied: ${answer.reasons.join(', ')}`);
}
