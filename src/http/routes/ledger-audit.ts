/**
 * Verification and export (ledger:verify, ledger:read). A verification streams NDJSON progress lines
 * while it runs and ends with one result line, so a long run never holds a silent request open; the
 * result is also appended to the ledger as a `ledger.verified` entry.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { type Checkpoint, openCheckpoint } from '../../ledger/checkpoint.js';
import type { VerificationResult } from '../../ledger/verifier.js';
import { type ExportDisclosure, exportLines, exportRange } from '../../storage/ledger-export.js';
import { verifyStoredLedger } from '../../storage/ledger-verification.js';
import { authorize } from '../authorize.js';
import { invalidField, ProblemError } from '../problem.js';
import type { LedgerRouteOptions } from './ledger-options.js';
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

export interface AuditRouteOptions extends LedgerRouteOptions {
  readonly trustedKeys: LedgerRouteOptions['verifierKey'][];
  readonly onVerified?: (result: VerificationResult) => void;
}

export function presentResult(result: VerificationResult) {
  return {
    ok: result.ok,
    tree_size: result.treeSize,
    root: result.root,
    entries_checked: result.entriesChecked,
    checkpoints_checked: result.checkpointsChecked,
    first_failure: result.firstFailure,
  };
}

export async function ledgerAuditRoutes(app: FastifyInstance, options: AuditRouteOptions): Promise<void> {
  const { db } = options;

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
          trusted = openCheckpoint(note, options.origin, options.trustedKeys);
        } catch (error) {
          throw invalidField('body', '/trusted_checkpoint', `not a checkpoint signed by this log: ${(error as Error).message}`);
        }
      }
      const caller = request.caller;
      const lines = new LineChannel();
      let lastReport = -1;
      verifyStoredLedger(db, {
        origin: options.origin,
        trustedKeys: options.trustedKeys,
        ...(trusted === undefined ? {} : { trusted }),
        onProgress: ({ entriesChecked, treeSize }) => {
          if (lastReport < 0 || entriesChecked - lastReport >= PROGRESS_EVERY) {
            lastReport = entriesChecked;
            lines.push({ progress: { entries_checked: entriesChecked, tree_size: treeSize } });
          }
        },
      })
        .then(async (result) => {
          options.onVerified?.(result);
          const receipt = await options.writer.record({
            kind: 'ledger.verified',
            actor: { unit: caller.unit, subject: caller.subject },
            payload: { ...presentResult(result), from_trusted_size: trusted?.size ?? null },
          });
          lines.push({
            result: presentResult(result),
            receipt: presentReceipt(receipt),
          });
        })
        .catch((error: unknown) => {
          request.log.error({ err: error }, 'verification failed to run');
          lines.push({ error: { code: 'unavailable', detail: 'the verification could not complete; nothing was recorded' } });
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
      const range = await exportRange(db, request.query.from, request.query.to);
      if (range.from > range.to) throw invalidField('querystring', '/from', 'must not exceed to');
      if (range.to > range.size) throw new ProblemError('not-found', `to: the log holds ${range.size} entries`);
      const recipient = request.query.recipient;
      let disclosure: ExportDisclosure | undefined;
      if (recipient !== undefined) {
        const { subject, unit } = request.caller;
        if (!(await app.policy.isAllowed(subject, unit, 'personal_data', 'export'))) {
          throw new ProblemError('forbidden', 'recipient: exporting personal data needs personal_data:export');
        }
        // The disclosure is on the record before a byte leaves: no record, no export.
        await options.writer.record({
          kind: 'personal_data.disclosed',
          actor: { unit, subject },
          payload: { recipient, from: range.from, to: range.to },
        });
        disclosure = { recipient, openings: (seqs) => options.vault.read(db, seqs) };
      }
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="ledger-${range.from}-${range.to}.ndjson"`)
        .send(Readable.from(exportLines(db, options.origin, range, disclosure)));
    },
  );
}
