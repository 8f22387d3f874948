/** The log's public face: its verifier keys and signed checkpoints (no token needed). */
import type { FastifyInstance } from 'fastify';
import { keyHistory } from '../../queries/ledger.js';
import { checkpointFor } from '../../workflows/cosigned-checkpoints.js';
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
