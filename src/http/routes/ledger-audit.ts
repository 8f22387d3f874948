/**
 * Verification and export (ledger:verify, ledger:read). A verification streams NDJSON progress lines
 * while it runs and ends with one result line, so a long run never holds a silent request open; the
 * result is also appended to the ledger as a `ledger.verified` entry.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type Checkpoint, openCheckpoint } from '../../ledger/checkpoint.js';
import { exportRange } from '../../queries/ledger.js';
import { DomainError } from '../../rules/domain-error.js';
import { assertLedgerBound, exportFor, presentResult, verifyAndRecord } from '../../workflows/ledger-audit.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { invalidField, ProblemError } from '../problem.js';
import { presentReceipt } from './receipts.js';

const PROGRESS_EVERY = 50_000;

/** Lines produced by a running task, read as they come. */
class LineChannel {
  private readonly lines: string[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  push(value: unknown): void {
    this.lines.push(`${JSON.stringify(value)}\n`);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *drain(): AsyncGenerator<string> {
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        yield line;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}

export async function ledgerAuditRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.post<{ Body: { trusted_checkpoint?: string } | undefined }>(
    '/v1/ledger/verifications',
    {
      preHandler: authorize('ledger', 'verify'),
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { trusted_checkpoint: { type: 'string', minLength: 1, maxLength: 65536 } },
        },
      },
    },
    async (request, reply) => {
      let trusted: Checkpoint | undefined;
      const note = request.body?.trusted_checkpoint;
      if (note !== undefined) {
        try {
          trusted = openCheckpoint(note, context.ledger.origin, [...context.ledger.trustedKeys]);
        } catch (error) {
          throw invalidField('body', '/trusted_checkpoint', `not a checkpoint signed by this log: ${(error as Error).message}`);
        }
      }
      await assertLedgerBound(context);
      const lines = new LineChannel();
      let lastReport = -1;
      verifyAndRecord(context, request.caller, trusted, ({ entriesChecked, treeSize }) => {
        if (lastReport < 0 || entriesChecked - lastReport >= PROGRESS_EVERY) {
          lastReport = entriesChecked;
          lines.push({ progress: { entries_checked: entriesChecked, tree_size: treeSize } });
        }
      })
        .then(({ result, receipt }) => lines.push({ result: presentResult(result), receipt: presentReceipt(receipt) }))
        .catch((error: unknown) => {
          request.log.error({ err: error }, 'verification failed to run');
          const code = error instanceof DomainError && error.code === 'ledger-integrity' ? 'ledger-integrity' : 'unavailable';
          lines.push({ error: { code, detail: 'the verification could not complete; nothing was recorded' } });
        })
        .finally(() => lines.close());
      return reply.type('application/x-ndjson').send(Readable.from(lines.drain()));
    },
  );

  app.get<{ Querystring: { from: number; to?: number; recipient?: string } }>(
    '/v1/ledger/export',
    {
      preHandler: authorize('ledger', 'read'),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
            to: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            recipient: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f]+$' },
          },
        },
      },
    },
    async (request, reply) => {
      // The range is fixed on the primary; the lines are read where `reads` says, which holds all of it.
      const range = await exportRange(context.db, request.query.from, request.query.to);
      if (range.from > range.to) throw invalidField('querystring', '/from', 'must not exceed to');
      if (range.to > range.size) throw new ProblemError('not-found', `to: the log holds ${range.size} entries`);
      const recipient = request.query.recipient;
      if (recipient !== undefined) {
        const { subject, unit } = request.caller;
        if (!(await app.policy.isAllowed(subject, unit, 'personal_data', 'export'))) {
          throw new ProblemError('forbidden', 'recipient: exporting personal data needs personal_data:export');
        }
      }
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="ledger-${range.from}-${range.to}.ndjson"`)
        .send(Readable.from(await exportFor(context, request.caller, range, recipient)));
    },
  );
}
