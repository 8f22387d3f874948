/**
 * POST /v1/reconciliations (reconciliation:create: gateways, auditors, the oversight organ): the
 * body is a gateway's access log in the `footage_warden` format (application/x-ndjson or
 * text/plain), streamed, never held whole; `from` and `to` bound the period (default: the log's
 * own span), `sessions=false` leaves the ledger's playback sessions out. Without a body, the
 * period's sessions alone are reconciled. The result is recorded before it is answered (201).
 */

import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { reconcile } from '../../workflows/reconciliation.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { invalidField } from '../problem.js';
import { presentReceipt } from './receipts.js';

const LOG_TYPES = ['application/x-ndjson', 'text/plain'];

export async function reconciliationRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  // The log is read as it arrives: the handler gets the request's stream.
  app.addContentTypeParser(LOG_TYPES, (_request, payload, done) => done(null, payload));

  app.post<{ Querystring: { from?: string; to?: string; sessions?: boolean }; Body: Readable | undefined }>(
    '/v1/reconciliations',
    {
      preHandler: authorize('reconciliation', 'create'),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            sessions: { type: 'boolean', default: true },
          },
        },
      },
    },
    async (request, reply) => {
      const { from, to, sessions } = request.query;
      if ((from === undefined) !== (to === undefined))
        throw invalidField('querystring', from === undefined ? '/from' : '/to', 'give both from and to');
      const period = from === undefined || to === undefined ? undefined : { from: new Date(from), to: new Date(to) };
      if (period !== undefined && period.from >= period.to) throw invalidField('querystring', '/from', 'must be before to');
      const body = request.body;
      const log =
        body === undefined || body === null || typeof (body as Readable).pipe !== 'function' ? undefined : (body as Readable);
      if (log === undefined && request.headers['content-type'] !== undefined && request.headers['content-length'] !== '0') {
        throw invalidField('headers', '/content-type', `send the log as ${LOG_TYPES.join(' or ')}`);
      }
      const { result, receipt } = await reconcile(context, request.caller, {
        ...(log === undefined ? {} : { log }),
        ...(period === undefined ? {} : { period }),
        sessions: sessions !== false,
      });
      return reply.code(201).send({ ...result, receipt: presentReceipt(receipt) });
    },
  );
}
