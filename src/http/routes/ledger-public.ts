/** The log's public face: its verifier keys and signed checkpoints (no token needed). */
import type { FastifyInstance } from 'fastify';
import { keyHistory } from '../../queries/ledger.js';
import { checkpointFor } from '../../workflows/cosigned-checkpoints.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { ProblemError } from '../problem.js';

export async function ledgerPublicRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  // The signed-note verifier key, or with ?format=pem the public key as SPKI PEM (for OpenSSL).
  app.get<{ Querystring: { format?: 'note' | 'pem' } }>(
    '/v1/ledger/key',
    {
      config: { public: true },
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { format: { enum: ['note', 'pem'] } } },
      },
    },
    async (request, reply) => {
      const key = context.ledger.verifierKey;
      if (request.query.format === 'pem') {
        return reply.type('application/x-pem-file').send(key.publicKey.export({ type: 'spki', format: 'pem' }).toString());
      }
      return reply.type('text/plain; charset=utf-8').send(`${key.text}\n`);
    },
  );

  app.get('/v1/ledger/keys', { config: { public: true } }, async () => ({
    origin: context.ledger.origin,
    current: context.ledger.verifierKey.text,
    keys: (await keyHistory(context.db)).map((use) => ({
      key: use.key,
      key_id: use.keyId,
      introduced_at_seq: use.introducedAt,
      first_tree_size: use.firstTreeSize,
      last_tree_size: use.lastTreeSize,
      checkpoints: use.checkpoints,
    })),
  }));

  app.get<{ Querystring: { size?: number; witnessed?: boolean } }>(
    '/v1/ledger/checkpoint',
    {
      config: { public: true },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            size: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
            witnessed: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const { size, witnessed } = request.query;
      const checkpoint = await checkpointFor(context, size, witnessed === true);
      if (checkpoint === undefined) {
        throw new ProblemError(
          'not-found',
          size !== undefined
            ? `no checkpoint of size ${size}`
            : witnessed === true
              ? 'no checkpoint has reached the witness quorum yet'
              : 'the log has no checkpoint yet',
        );
      }
      return reply
        .type('text/plain; charset=utf-8')
        .header('footage-warden-witnessed', checkpoint.witnessed ? 'true' : 'false')
        .send(checkpoint.note);
    },
  );
}
