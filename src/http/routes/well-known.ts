/** GET /.well-known/jwks.json: the public key of the service's playback tokens (RFC 7517 JWK Set). */
import type { FastifyInstance } from 'fastify';
import type { PlaybackTokens } from '../../gate/playback-tokens.js';

export async function wellKnownRoutes(app: FastifyInstance, options: { readonly tokens: PlaybackTokens }): Promise<void> {
  const body = JSON.stringify({ keys: [options.tokens.jwk] });
  app.get('/.well-known/jwks.json', { config: { public: true } }, async (_request, reply) =>
    reply.type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(body),
  );
}
