/**
 * POST /v1/ledger/events: trusted systems (the gateway role) record what the service does not decide
 * itself. The kinds are a closed list, each with its own payload schema; the answer is the receipt,
 * sent only after the entry is committed.
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../authorize.js';
import { type FieldError, ProblemError } from '../problem.js';
import type { LedgerRouteOptions } from './ledger-options.js';

const ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' } as const;
const WINDOW = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
} as const;

/** Payload schemas of the event kinds a gateway may record (Articles 16 and 22). */
export const EVENT_KINDS = {
  'playback.started': {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'session_id'],
    properties: { camera_id: ID, session_id: ID, decision_id: ID, window: WINDOW },
  },
  'playback.stopped': {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'session_id'],
    properties: { camera_id: ID, session_id: ID, decision_id: ID, bytes_served: { type: 'integer', minimum: 0 } },
  },
  'footage.deleted': {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'window', 'cause'],
    properties: { camera_id: ID, window: WINDOW, cause: { enum: ['retention_expired', 'legal_hold_released'] } },
  },
  'equipment.maintained': {
    type: 'object',
    additionalProperties: false,
    required: ['work'],
    properties: {
      camera_id: ID,
      system_id: ID,
      work: { enum: ['inspection', 'repair', 'replacement', 'configuration', 'firmware_update'] },
      contractor_unit: ID,
    },
  },
} as const;

export type EventKind = keyof typeof EVENT_KINDS;

function fieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  return errors.map((error) => {
    const params = error.params as Record<string, unknown>;
    const suffix =
      typeof params.missingProperty === 'string'
        ? `/${params.missingProperty}`
        : typeof params.additionalProperty === 'string'
          ? `/${params.additionalProperty}`
          : '';
    const message = typeof params.additionalProperty === 'string' ? 'is not a known field' : (error.message ?? 'is not valid');
    return { location: 'body', path: `/payload${error.instancePath}${suffix}`, message };
  });
}

export async function ledgerEventRoutes(app: FastifyInstance, options: LedgerRouteOptions): Promise<void> {
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats.default(ajv);
  const validators = new Map(Object.entries(EVENT_KINDS).map(([kind, schema]) => [kind, ajv.compile(schema)]));

  app.post<{ Body: { kind: EventKind; payload: Record<string, unknown> } }>(
    '/v1/ledger/events',
    {
      preHandler: authorize('ledger_event', 'create'),
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'payload'],
          properties: { kind: { enum: Object.keys(EVENT_KINDS) }, payload: { type: 'object' } },
        },
      },
    },
    async (request, reply) => {
      const { kind, payload } = request.body;
      const validate = validators.get(kind);
      if (validate === undefined || !validate(payload)) {
        const errors = fieldErrors(validate?.errors ?? []);
        const first = errors[0];
        throw new ProblemError('invalid-request', first ? `body${first.path}: ${first.message}` : 'invalid payload', errors);
      }
      const window = payload.window as { from: string; to: string } | undefined;
      if (window !== undefined && Date.parse(window.to) < Date.parse(window.from)) {
        throw new ProblemError('invalid-request', 'body/payload/window/to: must not be before from', [
          { location: 'body', path: '/payload/window/to', message: 'must not be before from' },
        ]);
      }
      const receipt = await options.writer.record({
        kind,
        actor: { unit: request.caller.unit, subject: request.caller.subject },
        payload,
      });
      return reply.code(201).send({ receipt: { seq: receipt.seq, leaf_hash: receipt.leafHash, tree_size: receipt.treeSize } });
    },
  );
}
