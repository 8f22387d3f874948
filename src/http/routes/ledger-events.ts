/**
 * POST /v1/ledger/events: trusted systems (the gateway role) record what the service does not decide
 * itself, for cameras and systems of their own unit or of units that entrusted it. The kinds are a closed list, each with its own payload schema; the answer is the receipt,
 * sent only after the entry is committed.
 */
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { EVENT_KINDS, type EventKind } from '../../rules/ledger-events.js';
import { recordEvent } from '../../workflows/ledger-events.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { type FieldError, ProblemError } from '../problem.js';
import { presentReceipt } from './receipts.js';

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

export async function ledgerEventRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
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
      const receipt = await recordEvent(context, request.caller, kind, payload);
      return reply.code(201).send({ receipt: presentReceipt(receipt) });
    },
  );
}
