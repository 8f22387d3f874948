/**
 * Reading entries, their proofs and receipts (ledger:read). Each answer is read on one connection
 * of `context.reads`: a standby that has replayed the primary's position, or the primary.
 */
import type { FastifyInstance } from 'fastify';
import { formatProofFile } from '../../ledger/proof-file.js';
import { caseReferences } from '../../queries/access-requests.js';
import {
  consistencyProof,
  type EntryRow,
  entryAt,
  inclusionProof,
  type LedgerSource,
  listEntries,
  treeSize,
} from '../../queries/ledger.js';
import { caseToken } from '../../workflows/access-request-submission.js';
import { receiptCheckpoint } from '../../workflows/cosigned-checkpoints.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { invalidField, ProblemError } from '../problem.js';
import { openingsFor, presentEntry } from './entry-presentation.js';

const SEQ = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const SIZE = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const FILTER_TEXT = { type: 'string', minLength: 1, maxLength: 256 } as const;

const OPEN = { type: 'boolean', default: false } as const;

export async function ledgerEntryRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  const { reads } = context;
  const guard = authorize('ledger', 'read');

  async function requireEntry(db: LedgerSource, seq: number): Promise<EntryRow> {
    const row = await entryAt(db, seq);
    if (row === undefined) throw new ProblemError('not-found', `no entry ${seq} in the log`);
    return row;
  }

  async function requireTreeSize(db: LedgerSource, size: number, parameter: string): Promise<void> {
    const current = await treeSize(db);
    if (size > current) throw new ProblemError('not-found', `${parameter}: the log holds ${current} entries, not ${size}`);
  }

  app.get<{ Params: { seq: number }; Querystring: { open: boolean } }>(
    '/v1/ledger/entries/:seq',
    {
      preHandler: guard,
      schema: {
        params: { type: 'object', properties: { seq: SEQ }, required: ['seq'] },
        querystring: { type: 'object', additionalProperties: false, properties: { open: OPEN } },
      },
    },
    async (request) =>
      reads.read(async (db) => {
        const row = await requireEntry(db, request.params.seq);
        const opened = await openingsFor(request, { db, vault: context.vault }, request.query.open, [row]);
        return presentEntry(row, opened === undefined ? undefined : (opened.get(row.seq) ?? []), context.ledger.hasher);
      }),
  );

  app.get<{
    Querystring: {
      from: number;
      limit: number;
      kind?: string;
      camera?: string;
      subject?: string;
      unit?: string;
      case?: string;
      open: boolean;
    };
  }>(
    '/v1/ledger/entries',
    {
      preHandler: guard,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            from: { ...SEQ, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            kind: FILTER_TEXT,
            camera: FILTER_TEXT,
            subject: FILTER_TEXT,
            unit: FILTER_TEXT,
            case: FILTER_TEXT,
            open: OPEN,
          },
        },
      },
    },
    async (request) =>
      reads.read(async (db) => {
        const { from, limit, open, case: caseNo, ...filters } = request.query;
        // A case number is kept only as a keyed search token: its entries are found by reference.
        const refs = caseNo === undefined ? undefined : await caseReferences(db, caseToken(context.vault, caseNo));
        const rows = await listEntries(db, { from, limit: limit + 1, ...filters, ...(refs === undefined ? {} : { refs }) });
        const page = rows.slice(0, limit);
        const opened = await openingsFor(request, { db, vault: context.vault }, open, page);
        return {
          items: page.map((row) =>
            presentEntry(row, opened === undefined ? undefined : (opened.get(row.seq) ?? []), context.ledger.hasher),
          ),
          next: rows.length > limit ? (rows[limit] as EntryRow).seq : null,
        };
      }),
  );

  app.get<{ Params: { seq: number } }>(
    '/v1/ledger/entries/:seq/receipt',
    { preHandler: guard, schema: { params: { type: 'object', properties: { seq: SEQ }, required: ['seq'] } } },
    async (request, reply) => {
      const { row, checkpoint, hashes } = await reads.read(async (db) => {
        const row = await requireEntry(db, request.params.seq);
        const checkpoint = await receiptCheckpoint({ db, ledger: context.ledger }, row.seq);
        if (checkpoint === undefined) throw new ProblemError('not-found', `no checkpoint covers entry ${row.seq} yet`);
        return { row, checkpoint, hashes: await inclusionProof(db, row.seq, checkpoint.treeSize, context.ledger.hasher) };
      });
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', `attachment; filename="entry-${row.seq}.tlog-proof"`)
        .header('footage-warden-witnessed', checkpoint.witnessed ? 'true' : 'false')
        .send(formatProofFile({ index: row.seq, hashes, extra: row.canonical, checkpoint: checkpoint.note }));
    },
  );

  app.get<{ Querystring: { seq: number; tree_size: number } }>(
    '/v1/ledger/proofs/inclusion',
    {
      preHandler: guard,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['seq', 'tree_size'],
          properties: { seq: SEQ, tree_size: SIZE },
        },
      },
    },
    async (request) => {
      const { seq, tree_size: size } = request.query;
      if (seq >= size) throw invalidField('querystring', '/seq', 'must be less than tree_size');
      const { row, hashes } = await reads.read(async (db) => {
        await requireTreeSize(db, size, 'tree_size');
        const row = await requireEntry(db, seq);
        return { row, hashes: await inclusionProof(db, seq, size, context.ledger.hasher) };
      });
      return {
        seq,
        tree_size: size,
        leaf_hash: row.leafHash.toString('hex'),
        hashes: hashes.map((hash) => hash.toString('hex')),
      };
    },
  );

  app.get<{ Querystring: { from: number; to: number } }>(
    '/v1/ledger/proofs/consistency',
    {
      preHandler: guard,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['from', 'to'],
          properties: { from: SIZE, to: SIZE },
        },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      if (from > to) throw invalidField('querystring', '/from', 'must not exceed to');
      const hashes = await reads.read(async (db) => {
        await requireTreeSize(db, to, 'to');
        return consistencyProof(db, from, to, context.ledger.hasher);
      });
      return { from, to, hashes: hashes.map((hash) => hash.toString('hex')) };
    },
  );
}
