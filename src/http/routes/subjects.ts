/**
 * POST /v1/subjects/{id}/erasure: a unit administrator erases a data subject of their own unit
 * (workflows/erasure.ts).
 */
import type { FastifyInstance } from 'fastify';
import { ERASURE_BASES, eraseSubject } from '../../workflows/erasure.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { presentReceipt } from './receipts.js';

export async function subjectRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.post<{ Params: { id: string }; Body: { basis: (typeof ERASURE_BASES)[number]; reference?: string } }>(
    '/v1/subjects/:id/erasure',
    {
      preHandler: authorize('subject', 'erase'),
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 256 } },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['basis'],
          properties: {
            basis: { enum: [...ERASURE_BASES] },
            reference: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9 ./:_-]*$' },
          },
        },
      },
    },
    async (request) => {
      const erasure = await eraseSubject(context, request.caller, request.params.id, request.body.basis, request.body.reference);
      return { subject_id: request.params.id, values_erased: erasure.valuesErased, receipt: presentReceipt(erasure.receipt) };
    },
  );
}
