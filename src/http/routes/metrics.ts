/** Prometheus metrics on the main port, for callers the policy lets read them (metrics:read). */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';

export async function metricsRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.get('/metrics', { preHandler: authorize('metrics', 'read') }, async (_request, reply) => {
    reply.type(context.metrics.registry.contentType);
    return context.metrics.registry.metrics();
  });
}
