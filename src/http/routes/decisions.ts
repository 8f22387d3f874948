/**
 * POST /v1/decisions: the question every video management system and gateway asks before a live
 * view, playback, export or broadcast (workflows/decisions.ts, decideAsked: who may ask, and for
 * whom). A deny is a 200 with `decision: "deny"`, recorded exactly like an allow; the answer is
 * sent only after the decision's entry is committed. With `playback_token: true` an allow also
 * carries a playback token binding it.
 */
import type { FastifyInstance } from 'fastify';
import { ID_PATTERN, SUBJECT_PATTERN } from '../../rules/registry.js';
import type { RegulationProfile } from '../../rules/regulation-profile.js';
import { planFor } from '../../workflows/access-plan.js';
import { ACTIONS, type DecisionRequest, decideAsked, presentDecision } from '../../workflows/decisions.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { invalidField } from '../problem.js';
import { presentReceipt } from './receipts.js';

const TIME = { type: 'string', format: 'date-time' } as const;
const TEXT = { type: 'string', minLength: 1, maxLength: 1000 } as const;

/** What every request for access states: the action, its window, the purpose and the reason. */
function askedAccess(profile: RegulationProfile) {
  return {
    action: { enum: [...ACTIONS] },
    window: {
      type: 'object',
      additionalProperties: false,
      required: ['from', 'to'],
      properties: { from: TIME, to: TIME },
    },
    purpose: { enum: [...profile.purposes.keys()] },
    reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' },
  };
}

export function decisionBodySchema(profile: RegulationProfile) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'action', 'purpose', 'reason'],
    properties: {
      camera_id: { type: 'string', pattern: ID_PATTERN },
      ...askedAccess(profile),
      grant_id: { type: 'string', format: 'uuid' },
      on_behalf_of: {
        type: 'object',
        additionalProperties: false,
        required: ['subject', 'name'],
        properties: {
          subject: { type: 'string', pattern: SUBJECT_PATTERN },
          name: { type: 'string', minLength: 1, maxLength: 256 },
        },
      },
      publication_consent: TEXT,
      playback_token: { type: 'boolean' },
    },
    // A window is required except for live view (which must have none: decisions.ts).
    if: { properties: { action: { const: 'live' } } },
    else: { required: ['window'] },
  };
}

const FINDING = {
  type: 'object',
  required: ['code', 'article'],
  properties: { code: { type: 'string' }, article: { type: 'string' }, message: { type: 'string' }, detail: { type: 'string' } },
} as const;

/** The answer's schema: Fastify compiles it into a serializer for the hottest answer of the service. */
const DECISION_ANSWER = {
  type: 'object',
  required: ['decision_id', 'decision', 'reasons', 'obligations', 'valid_until', 'receipt'],
  properties: {
    decision_id: { type: 'string' },
    decision: { type: 'string' },
    reasons: { type: 'array', items: FINDING },
    obligations: { type: 'array', items: FINDING },
    valid_until: { type: ['string', 'null'] },
    playback_token: { type: 'string' },
    receipt: {
      type: 'object',
      required: ['seq', 'leaf_hash', 'tree_size'],
      properties: { seq: { type: 'integer' }, leaf_hash: { type: 'string' }, tree_size: { type: 'integer' } },
    },
  },
} as const;

function planBodySchema(profile: RegulationProfile) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['action', 'purpose', 'reason'],
    properties: {
      ...askedAccess(profile),
    },
    if: { properties: { action: { const: 'live' } } },
    else: { required: ['window'] },
  };
}

export async function decisionRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.post<{ Body: Omit<DecisionRequest, 'camera_id'> }>(
    '/v1/decisions/plan',
    { schema: { body: planBodySchema(context.profile) } },
    async (request) => {
      if (request.body.action === 'live' && request.body.window !== undefined) {
        throw invalidField('body', '/window', 'live view takes no window');
      }
      const evaluatedAt = new Date();
      const planned = await planFor(context, request.caller, request.body, evaluatedAt);
      return {
        evaluated_at: evaluatedAt.toISOString(),
        items: planned.map((item) => ({
          camera_id: item.cameraId,
          unit_id: item.unitId,
          grant_id: item.grantId,
          obligations: item.obligations,
        })),
      };
    },
  );

  app.post<{ Body: DecisionRequest & { playback_token?: boolean } }>(
    '/v1/decisions',
    { schema: { body: decisionBodySchema(context.profile), response: { 200: DECISION_ANSWER } } },
    async (request) => {
      const decision = await decideAsked(context, request.caller, request.body);
      const answer = presentDecision(decision, presentReceipt(decision.receipt));
      if (request.body.playback_token !== true || decision.validUntil === null) return answer;
      const playbackToken = context.gate.tokens.issue({
        decisionId: decision.decisionId,
        person: request.body.on_behalf_of?.subject ?? request.caller.subject,
        unit: request.caller.unit,
        camera: request.body.camera_id,
        window: request.body.window ?? null,
        actions: [request.body.action],
        obligations: answer.obligations.map((item) => item.code),
        expiresAt: Math.min(Date.parse(decision.validUntil), Date.now() + context.gate.tokenSeconds * 1000),
      });
      return { ...answer, playback_token: playbackToken };
    },
  );
}
