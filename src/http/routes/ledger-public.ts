/** The log's public face: its verifier keys and signed checkpoints (no token needed). */
import type { FastifyInstance } from 'fastify';
import { checkpointOfSize, keyHistory, latestCheckpoint } from '../../queries/ledger.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { ProblemError } from '../problem.js';

export async function ledgerPublicRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.get('/v1/ledger/key', { config: { public: true } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(`${context.ledger.verifierKey.text}\n`),
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

  app.get<{ Querystring: { size?: number } }>(
    '/v1/ledger/checkpoint',
    {
      config: { public: true },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { size: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
      },
    },
    async (request, reply) => {
      const { size } = request.query;
      const checkpoint = size === undefined ? await latestCheckpoint(context.db) : await checkpointOfSize(context.db, size);
      if (checkpoint === undefined) {
        throw new ProblemError(
          'not-found',
          size === undefined ? 'the log has no checkpoint yet' : `no checkpoint of size ${size}`,
        );
      }
      return reply.type('text/plain; charset=utf-8').send(checkpoint.note);
    },
  );
}
