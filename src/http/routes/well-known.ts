/** GET /.well-known/jwks.json: the public key of the service's playback tokens (RFC 7517 JWK Set). */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../../workflows/service-context.js';

export async function wellKnownRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  const body = JSON.stringify({ keys: [context.gate.tokens.jwk] });
  app.get('/.well-known/jwks.json', { config: { public: true } }, async (_request, reply) =>
    reply.type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(body),
  );
}
