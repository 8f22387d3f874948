/** Prometheus metrics on the main port, for callers the policy lets read them (metrics:read). */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { authorize } from '../authorize.js';

export async function metricsRoutes(app: FastifyInstance, options: { registry: Registry }): Promise<void> {
  app.get('/metrics', { preHandler: authorize('metrics', 'read') }, async (_request, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });
}
