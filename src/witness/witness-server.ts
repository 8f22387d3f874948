/**
 * A standalone C2SP tlog-witness: `POST <prefix>/add-checkpoint` judged by `judgeAddCheckpoint`,
 * against the state file, for the logs it is configured to accept. It has no other route that
 * changes state and no authentication beyond the log signatures, as the specification says.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { checkpointOrigin } from '../ledger/checkpoint.js';
import type { VerifierKey } from '../ledger/note.js';
import { parseAddCheckpoint, TLOG_SIZE_TYPE, WitnessExchangeError } from '../ledger/witness-exchange.js';
import { type Cosigner, type Judgement, judgeAddCheckpoint } from './add-checkpoint.js';
import type { WitnessState } from './witness-state.js';

export interface WitnessServerOptions {
  readonly cosigner: Cosigner;
  readonly logs: readonly VerifierKey[];
  readonly state: WitnessState;
  readonly logger: Logger | false;
  /** The submission prefix: a path starting with "/" and not ending with one, or "". */
  readonly prefix?: string;
  readonly now?: () => Date;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function buildWitnessServer(options: WitnessServerOptions): Promise<FastifyInstance> {
  const app = (
    options.logger === false
      ? Fastify({ bodyLimit: MAX_BODY_BYTES })
      : Fastify({ loggerInstance: options.logger, bodyLimit: MAX_BODY_BYTES })
  ) as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const now = options.now ?? (() => new Date());

  app.post<{ Body: string }>(`${options.prefix ?? ''}/add-checkpoint`, async (request, reply) => {
    let parsed: ReturnType<typeof parseAddCheckpoint>;
    try {
      parsed = parseAddCheckpoint(typeof request.body === 'string' ? request.body : '');
    } catch (error) {
      if (error instanceof WitnessExchangeError)
        return reply.code(400).type('text/plain; charset=utf-8').send(`${error.message}\n`);
      throw error;
    }
    const origin = checkpointOrigin(parsed.checkpoint);
    const judgement = await options.state.exclusive<Judgement>(origin, (latest) => {
      const verdict = judgeAddCheckpoint(parsed, options.logs, latest, options.cosigner, now());
      return verdict.status === 200 ? { next: verdict.head, result: verdict } : { result: verdict };
    });
    if (judgement.status === 200) {
      request.log.info({ origin, size: judgement.head.size }, 'cosigned');
      return reply.code(200).type('text/plain; charset=utf-8').send(judgement.cosignature);
    }
    request.log.warn({ origin, status: judgement.status, reason: judgement.reason }, 'checkpoint refused');
    if (judgement.status === 409) return reply.code(409).type(TLOG_SIZE_TYPE).send(`${judgement.size}\n`);
    return reply.code(judgement.status).type('text/plain; charset=utf-8').send(`${judgement.reason}\n`);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}
