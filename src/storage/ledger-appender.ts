/**
 * Group commit. Appends queue in memory; one transaction per batch takes the ledger's advisory lock,
 * reads the head, runs each append's effect in a savepoint, inserts the entries, their tree nodes
 * and one signed checkpoint, commits, and only then resolves every waiter with its receipt. Several
 * processes on one database therefore write one linear log, and nothing is acknowledged before
 * COMMIT: a batch that fails rejects every append in it.
 */
import type { KeyObject } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { signCheckpoint } from '../ledger/checkpoint.js';
import { type EncodedEntry, type EntryDraft, encodeEntry, entryTime } from '../ledger/entry.js';
import { verifierKeyFor } from '../ledger/note.js';
import { TreeFrontier } from '../ledger/tree.js';
import {
  type EntryRow,
  insertCheckpoint,
  insertEntries,
  insertNodes,
  lockLedger,
  type NodeRow,
  readHead,
} from './ledger-repository.js';
import type { Database } from './schema.js';
import { transact } from './transaction.js';

export interface Receipt {
  readonly seq: number;
  readonly leafHash: string;
  readonly treeSize: number;
}

/** State changes that must commit with the entry, or not at all; runs in a savepoint of the batch. */
export type Effect = (trx: Transaction<Database>, seq: number) => Promise<void>;

export interface AppendRequest {
  readonly draft: Omit<EntryDraft, 'time'>;
  readonly effect?: Effect;
}

/** The ledger could not be written: nothing of this append was recorded. */
export class LedgerUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the ledger cannot be written', { cause });
    this.name = 'LedgerUnavailableError';
  }
}

export interface AppenderObserver {
  batchCommitted(size: number, waitedMs: readonly number[]): void;
}

interface Pending {
  readonly request: AppendRequest;
  readonly queuedAt: number;
  resolve(receipt: Receipt): void;
  reject(error: unknown): void;
}

export interface AppenderOptions {
  readonly db: Kysely<Database>;
  readonly origin: string;
  readonly signingKey: KeyObject;
  readonly maxBatch?: number;
  readonly observer?: AppenderObserver;
  readonly now?: () => Date;
}

const KEY_ROTATED = 'key.rotated';

export class LedgerAppender {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly verifierKey: string;
  private readonly keyIdHex: string;
  private readonly maxBatch: number;
  private readonly now: () => Date;

  constructor(private readonly options: AppenderOptions) {
    const key = verifierKeyFor(options.origin, options.signingKey);
    this.verifierKey = key.text;
    this.keyIdHex = key.keyId.toString('hex');
    this.maxBatch = options.maxBatch ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  /** Resolves with the receipt after the entry is committed; rejects if it was not recorded. */
  append(request: AppendRequest): Promise<Receipt> {
    if (this.closed) return Promise.reject(new LedgerUnavailableError(new Error('the appender is closed')));
    return new Promise<Receipt>((resolve, reject) => {
      this.queue.push({ request, queuedAt: performance.now(), resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Waits for queued appends to settle; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.commit(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    const accepted: { pending: Pending; seq: number; leaf: string }[] = [];
    let treeSize = 0;
    try {
      await transact(this.options.db, 'ledger.append', async (trx) => {
        await lockLedger(trx);
        const head = await readHead(trx);
        const frontier = TreeFrontier.restore(head.size, head.frontier);
        let prev = head.lastLeaf;
        const time = entryTime(this.now());
        const entries: EntryRow[] = [];
        const nodes: NodeRow[] = [];
        const add = (encoded: EncodedEntry, camera: string | null) => {
          entries.push({
            seq: encoded.entry.seq,
            time,
            kind: encoded.entry.kind,
            unit: encoded.entry.actor.unit,
            subject: encoded.entry.actor.subject,
            camera,
            canonical: encoded.bytes,
            leafHash: encoded.leaf,
          });
          for (const completed of frontier.append(encoded.leaf)) nodes.push({ ...completed.node, hash: completed.hash });
          prev = encoded.leaf;
        };
        if (head.keyId !== this.keyIdHex) {
          const previous = head.keyId === undefined ? null : await previousVerifierKey(trx);
          const draft = {
            kind: KEY_ROTATED,
            time,
            actor: { unit: null, subject: null },
            payload: { key: this.verifierKey, previous },
          };
          add(encodeEntry(draft, frontier.size, prev), null);
        }
        for (const pending of batch) {
          const seq = frontier.size;
          let encoded: EncodedEntry;
          try {
            encoded = encodeEntry({ ...pending.request.draft, time }, seq, prev);
            if (pending.request.effect !== undefined) await runInSavepoint(trx, seq, pending.request.effect);
          } catch (error) {
            pending.reject(error);
            continue;
          }
          const camera = pending.request.draft.payload.camera_id;
          add(encoded, typeof camera === 'string' ? camera : null);
          accepted.push({ pending, seq, leaf: encoded.leaf.toString('hex') });
        }
        if (entries.length === 0) return;
        await insertEntries(trx, entries);
        await insertNodes(trx, nodes);
        treeSize = frontier.size;
        const root = frontier.root();
        const note = signCheckpoint({ origin: this.options.origin, size: treeSize, root }, this.options.signingKey);
        await insertCheckpoint(trx, { treeSize, root, keyId: this.keyIdHex, note });
      });
    } catch (error) {
      // An append already rejected for its own fault keeps that rejection (a promise settles once).
      const failure = new LedgerUnavailableError(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    const done = performance.now();
    this.options.observer?.batchCommitted(
      accepted.length,
      accepted.map(({ pending }) => done - pending.queuedAt),
    );
    for (const { pending, seq, leaf } of accepted) pending.resolve({ seq, leafHash: leaf, treeSize });
  }
}

async function runInSavepoint(trx: Transaction<Database>, seq: number, effect: Effect): Promise<void> {
  await sql`SAVEPOINT ledger_effect`.execute(trx);
  try {
    await effect(trx, seq);
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT ledger_effect`.execute(trx);
    throw error;
  }
  await sql`RELEASE SAVEPOINT ledger_effect`.execute(trx);
}

async function previousVerifierKey(trx: Transaction<Database>): Promise<string | null> {
  const row = await trx
    .selectFrom('ledger_entries')
    .select('canonical')
    .where('kind', '=', KEY_ROTATED)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return null;
  const key = (JSON.parse(row.canonical.toString('utf8')) as { payload?: { key?: unknown } }).payload?.key;
  return typeof key === 'string' ? key : null;
}
