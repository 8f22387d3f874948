/** Liveness and readiness, unauthenticated (for orchestrators and load balancers). */
import type { FastifyInstance } from 'fastify';
import { checkReadiness } from '../../queries/health.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { ProblemError } from '../problem.js';

const statusSchema = {
  type: 'object',
  properties: { status: { type: 'string' } },
  required: ['status'],
} as const;

export async function healthRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.get('/healthz', { config: { public: true }, schema: { response: { 200: statusSchema } } }, async () => ({
    status: 'ok',
  }));
  app.get('/readyz', { config: { public: true }, schema: { response: { 200: statusSchema } } }, async () => {
    const halted = context.ledger.integrity.halted;
    if (halted !== undefined) {
      throw new ProblemError(
        'ledger-integrity',
        `the ledger stopped (${halted.check} against the ${halted.reference} checkpoint): ${halted.detail}`,
      );
    }
    const readiness = await checkReadiness(context.db);
    if (!readiness.ready) throw new ProblemError('unavailable', readiness.reason);
    return { status: 'ready' };
  });
}
