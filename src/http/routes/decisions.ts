/**
 * POST /v1/decisions: the question every video management system and gateway asks before a live
 * view, playback, export or broadcast. Needs decision:create in the caller's unit or the camera's,
 * or a grant_id (whether the grant covers the access is one of the rules);
 * `on_behalf_of` needs
 * decision:on_behalf (the gateway role) and a person registered in the gateway's unit or in a unit
 * that entrusted it. A deny is a 200 with `decision: "deny"`, recorded exactly
 * like an allow; the answer is sent only after the decision's entry is committed.
 */
import type { FastifyInstance } from 'fastify';
import type { AccessSnapshot, AccessState } from '../../domain/access-state.js';
import type { Caller } from '../../domain/caller.js';
import { ACTIONS, type DecisionRequest, makeDecision, presentDecision } from '../../domain/decisions.js';
import type { LedgerWriter } from '../../domain/ledger-writer.js';
import { ID_PATTERN, SUBJECT_PATTERN } from '../../domain/registry.js';
import type { RegulationProfile } from '../../domain/regulation-profile.js';
import { actsFor } from '../../domain/unit-scope.js';
import type { PlaybackTokens } from '../../gate/playback-tokens.js';
import { holdOfRequest, readGrant } from '../../storage/access-request-repository.js';
import type { Executor } from '../../storage/transaction.js';
import { ProblemError } from '../problem.js';
import { presentReceipt } from './receipts.js';

export interface DecisionRouteOptions {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  readonly access: AccessState;
  readonly profile: RegulationProfile;
  readonly tokens: PlaybackTokens;
}

const TIME = { type: 'string', format: 'date-time' } as const;
const TEXT = { type: 'string', minLength: 1, maxLength: 1000 } as const;

export function decisionBodySchema(profile: RegulationProfile) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'action', 'purpose', 'reason'],
    properties: {
      camera_id: { type: 'string', pattern: ID_PATTERN },
      action: { enum: [...ACTIONS] },
      window: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: { from: TIME, to: TIME },
      },
      purpose: { enum: [...profile.purposes.keys()] },
      reason: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' },
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

export async function decisionRoutes(app: FastifyInstance, options: DecisionRouteOptions): Promise<void> {
  app.post<{ Body: DecisionRequest & { playback_token?: boolean } }>(
    '/v1/decisions',
    { schema: { body: decisionBodySchema(options.profile), response: { 200: DECISION_ANSWER } } },
    async (request) => {
      const { subject, unit } = request.caller;
      // One snapshot of the registry and policy for the whole decision.
      const snapshot = options.access.current;
      // decision:create in the caller's own unit, or in the camera's (a contractor's roles are held
      // in the units they work for).
      const cameraUnit = snapshot.cameras.get(request.body.camera_id)?.unit.id;
      // A caller holding a grant may ask under it (an emergency requester has no role anywhere).
      const mayAsk =
        request.body.grant_id !== undefined ||
        snapshot.index.allows(subject, unit, 'decision', 'create') ||
        (cameraUnit !== undefined && snapshot.index.allows(subject, cameraUnit, 'decision', 'create'));
      if (!mayAsk) throw new ProblemError('forbidden', `decision:create is not permitted for this caller in unit ${unit}`);
      const behalf = request.body.on_behalf_of;
      if (behalf !== undefined) {
        const refusal = onBehalfRefusal(snapshot, request.caller, behalf.subject);
        if (refusal !== undefined) {
          throw new ProblemError('forbidden', `body/on_behalf_of: ${refusal}`, [
            { location: 'body', path: '/on_behalf_of', message: refusal },
          ]);
        }
      }
      const grantId = request.body.grant_id;
      const grant = grantId === undefined ? undefined : await readGrant(options.db, grantId);
      const hold = grant === undefined ? undefined : await holdOfRequest(options.db, grant.requestId);
      const decision = await makeDecision(options.writer, snapshot, options.profile, request.caller, request.body, grant, hold);
      const answer = presentDecision(decision, presentReceipt(decision.receipt));
      if (request.body.playback_token !== true || decision.validUntil === null) return answer;
      const playbackToken = options.tokens.issue({
        decisionId: decision.decisionId,
        person: request.body.on_behalf_of?.subject ?? subject,
        unit,
        camera: request.body.camera_id,
        window: request.body.window ?? null,
        actions: [request.body.action],
        obligations: answer.obligations.map((item) => item.code),
        expiresAt: Date.parse(decision.validUntil),
      });
      return { ...answer, playback_token: playbackToken };
    },
  );
}
