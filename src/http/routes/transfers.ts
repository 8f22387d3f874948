/**
 * The transfer register. POST /v1/transfers registers the hand-over of an allowed
 * export (transfer:create); GET /v1/transfers lists a unit's transfers (transfer:read in that unit)
 * or any unit's (transfer:read_all, for auditors and the oversight organ), each with its ledger
 * entry; personal values are opened with `open=true` and personal_data:read. The receiving side
 * acknowledges receipt with POST /v1/transfers/{id}/acknowledgement (transfer:acknowledge).
 */
import type { FastifyInstance } from 'fastify';
import { ID_PATTERN } from '../../rules/registry.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { acknowledgeTransfer } from '../../workflows/transfer-acknowledgements.js';
import { listVisibleTransfers, registerTransfer, type TransferRequest } from '../../workflows/transfers.js';
import { authorize } from '../authorize.js';
import { openingsFor, presentEntry } from './entry-presentation.js';
import { presentReceipt } from './receipts.js';

const TIME = { type: 'string', format: 'date-time' } as const;
const TEXT = { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' } as const;

const TRANSFER_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['decision_id', 'content', 'recipient', 'reason'],
  properties: {
    decision_id: { type: 'string', format: 'uuid' },
    content: {
      type: 'object',
      additionalProperties: false,
      required: ['camera_id', 'window', 'file_sha256', 'size_bytes', 'description'],
      properties: {
        camera_id: { type: 'string', pattern: ID_PATTERN },
        window: { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: TIME, to: TIME } },
        file_sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
        size_bytes: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        description: TEXT,
      },
    },
    recipient: {
      type: 'object',
      additionalProperties: false,
      required: ['unit', 'person_name'],
      properties: {
        unit: { type: 'string', minLength: 1, maxLength: 256 },
        person_name: { type: 'string', minLength: 1, maxLength: 256 },
        unit_id: { type: 'string', pattern: ID_PATTERN },
        subject: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f]+$' },
      },
    },
    reason: TEXT,
  },
} as const;

const ACKNOWLEDGEMENT_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['file_sha256'],
  properties: { file_sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
} as const;

interface ListQuery {
  unit_id?: string;
  received?: boolean;
  camera_id?: string;
  since?: string;
  until?: string;
  after?: number;
  limit: number;
  open: boolean;
}

export async function transferRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.post<{ Body: TransferRequest }>(
    '/v1/transfers',
    { preHandler: authorize('transfer', 'create'), schema: { body: TRANSFER_BODY } },
    async (request, reply) => {
      const transfer = await registerTransfer(context.writer, context.db, context.access.current, request.caller, request.body);
      return reply.code(201).send({ transfer_id: transfer.transferId, receipt: presentReceipt(transfer.receipt) });
    },
  );

  app.post<{ Params: { id: string }; Body: { file_sha256: string } }>(
    '/v1/transfers/:id/acknowledgement',
    {
      preHandler: authorize('transfer', 'acknowledge'),
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
        body: ACKNOWLEDGEMENT_BODY,
      },
    },
    async (request, reply) => {
      const acknowledged = await acknowledgeTransfer(
        context.writer,
        context.db,
        context.access.current,
        request.caller,
        request.params.id,
        request.body,
      );
      return reply.code(201).send({ matches: acknowledged.matches, receipt: presentReceipt(acknowledged.receipt) });
    },
  );

  app.get<{ Querystring: ListQuery }>(
    '/v1/transfers',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            unit_id: { type: 'string', minLength: 1, maxLength: 256 },
            received: { type: 'boolean' },
            camera_id: { type: 'string', pattern: ID_PATTERN },
            since: TIME,
            until: TIME,
            after: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            open: { type: 'boolean', default: false },
          },
        },
      },
    },
    async (request) => {
      const { unit_id, received, camera_id, since, until, after, limit, open } = request.query;
      const rows = await listVisibleTransfers(context, request.caller, {
        limit: limit + 1,
        ...(received === undefined ? {} : { received }),
        ...(unit_id === undefined ? {} : { unitId: unit_id }),
        ...(camera_id === undefined ? {} : { cameraId: camera_id }),
        ...(since === undefined ? {} : { since: new Date(since) }),
        ...(until === undefined ? {} : { until: new Date(until) }),
        ...(after === undefined ? {} : { afterSeq: after }),
      });
      const page = rows.slice(0, limit);
      const opened = await openingsFor(request, context, open, page);
      return {
        items: page.map((row) => ({
          transfer_id: row.id,
          decision_id: row.decisionId,
          unit_id: row.unitId,
          camera_id: row.cameraId,
          recipient_unit: row.recipientUnit,
          recipient_unit_id: row.recipientUnitId,
          acknowledgement:
            row.acknowledgement === null
              ? null
              : {
                  seq: row.acknowledgement.seq,
                  matches: row.acknowledgement.matches,
                  acknowledged_at: row.acknowledgement.at.toISOString(),
                },
          registered_at: row.registeredAt.toISOString(),
          ...presentEntry(row, opened === undefined ? undefined : (opened.get(row.seq) ?? []), context.ledger.hasher),
        })),
        next: rows.length > limit ? (page[page.length - 1]?.seq ?? null) : null,
      };
    },
  );
}
