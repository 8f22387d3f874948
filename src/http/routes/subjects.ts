/**
 * POST /v1/subjects/{id}/erasure: a unit administrator erases a data subject of their own unit (a
 * person it registers, or one whose values only it recorded) when the legal basis ends. The subject's data key and sealed values are destroyed in the transaction that
 * records the `subject.erased` entry; every entry, proof, checkpoint and export stays verifiable.
 */
import type { FastifyInstance } from 'fastify';
import type { AccessState } from '../../domain/access-state.js';
import { erasureRefusal } from '../../domain/unit-scope.js';
import { VaultError } from '../../storage/vault.js';
import { authorize } from '../authorize.js';
import { ProblemError } from '../problem.js';
import type { LedgerRouteOptions } from './ledger-options.js';
import { presentReceipt } from './receipts.js';

/** Legal grounds for erasure (PIPL Article 47). */
export const ERASURE_BASES = [
  'purpose_fulfilled',
  'retention_expired',
  'consent_withdrawn',
  'unlawful_processing',
  'legal_order',
] as const;

export interface SubjectRouteOptions extends LedgerRouteOptions {
  readonly access: AccessState;
}

export async function subjectRoutes(app: FastifyInstance, options: SubjectRouteOptions): Promise<void> {
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
    async (request, reply) => {
      const { id } = request.params;
      const recordedBy = await options.vault.unitsRecording(options.db, id);
      const refusal = erasureRefusal(options.access.current, request.caller.unit, id, recordedBy);
      if (refusal !== undefined) throw new ProblemError('forbidden', refusal);
      let erased = 0;
      try {
        const receipt = await options.writer.record(
          {
            kind: 'subject.erased',
            actor: { unit: request.caller.unit, subject: request.caller.subject },
            payload: { subject_id: id, basis: request.body.basis, reference: request.body.reference ?? null },
          },
          async (trx, seq) => {
            erased = await options.vault.erase(trx, id, seq);
          },
        );
        return reply.code(200).send({
          subject_id: id,
          values_erased: erased,
          receipt: presentReceipt(receipt),
        });
      } catch (error) {
        if (error instanceof VaultError) throw new ProblemError('not-found', error.message);
        throw error;
      }
    },
  );
}
