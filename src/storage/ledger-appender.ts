/**
 * Group commit. Appends queue in memory and are taken in batches; each batch is one transaction that
 * takes the ledger's advisory lock, checks the head, inserts the entries, their tree nodes and one
 * signed checkpoint, commits, and only then resolves its waiters with their receipts. Several
 * processes on one database therefore write one linear log, and nothing is acknowledged before
 * COMMIT: a batch that fails rejects every append in it.
 *
 * Two batches may be in flight: the second is encoded while the first commits, against the head the
 * first will leave. Under the lock the real head is compared with that prediction (size, last leaf
 * hash, signing key); on any difference (another process wrote, or the first batch failed) the
 * batch is encoded again from the real head. Batches with effects are always encoded under the lock.
 */
import type { KeyObject } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { signCheckpoint } from '../ledger/checkpoint.js';
import { type EncodedEntry, type EntryDraft, encodeEntry, entryTime } from '../ledger/entry.js';
import { hashesEqual } from '../ledger/hashes.js';
import { verifierKeyFor } from '../ledger/note.js';
import { TreeFrontier } from '../ledger/tree.js';
import { keyInForce } from './ledger-keys.js';
import {
  type EntryRow,
  type HeadSummary,
  insertCheckpoint,
  insertEntries,
  insertNodes,
  lockLedger,
  type NodeRow,
  readFrontier,
  readHeadSummary,
  STORED_NODE_MIN_LEVEL,
} from './ledger-repository.js';
import type { Database } from './schema.js';
import { transact } from './transaction.js';
import type { SubjectOpening, Vault } from './vault.js';

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
  /** The id of the object the entry records (a decision, a transfer): indexed, not hashed. */
  readonly ref?: string;
  /** Openings of the entry's sealed fields, stored in the vault in the batch's transaction. */
  readonly openings?: readonly SubjectOpening[];
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

/** The log's state a batch extends. */
interface HeadState {
  readonly size: number;
  readonly frontier: readonly Buffer[];
  readonly lastLeaf: Buffer | undefined;
  readonly keyId: string | undefined;
}

interface Prepared {
  readonly base: HeadState;
  readonly end: HeadState;
  readonly entries: EntryRow[];
  readonly nodes: NodeRow[];
  readonly accepted: { pending: Pending; seq: number; leaf: string }[];
  readonly root: Buffer;
}

export interface AppenderOptions {
  readonly db: Kysely<Database>;
  readonly origin: string;
  readonly signingKey: KeyObject;
  readonly maxBatch?: number;
  readonly observer?: AppenderObserver;
  readonly now?: () => Date;
  /** Where openings are stored; required to append entries with sealed fields. */
  readonly vault?: Pick<Vault, 'storeBatch'>;
}

const KEY_ROTATED = 'key.rotated';
const MAX_IN_FLIGHT = 2;

/** Builds a batch's rows from a head; `effect` runs each append's effect once its seq is known. */
class BatchBuilder {
  readonly entries: EntryRow[] = [];
  readonly nodes: NodeRow[] = [];
  readonly accepted: { pending: Pending; seq: number; leaf: string }[] = [];
  private readonly frontier: TreeFrontier;
  private prev: Buffer | undefined;

  constructor(
    readonly base: HeadState,
    private readonly time: string,
  ) {
    this.frontier = TreeFrontier.restore(base.size, base.frontier);
    this.prev = base.lastLeaf;
  }

  get size(): number {
    return this.frontier.size;
  }

  encode(draft: Omit<EntryDraft, 'time'>): EncodedEntry {
    return encodeEntry({ ...draft, time: this.time }, this.frontier.size, this.prev);
  }

  add(encoded: EncodedEntry, pending?: Pending): void {
    const camera = encoded.entry.payload.camera_id;
    this.entries.push({
      seq: encoded.entry.seq,
      time: this.time,
      kind: encoded.entry.kind,
      unit: encoded.entry.actor.unit,
      subject: encoded.entry.actor.subject,
      camera: typeof camera === 'string' ? camera : null,
      ref: pending?.request.ref ?? null,
      canonical: encoded.bytes,
      leafHash: encoded.leaf,
    });
    for (const completed of this.frontier.append(encoded.leaf)) {
      if (completed.node.level >= STORED_NODE_MIN_LEVEL) this.nodes.push({ ...completed.node, hash: completed.hash });
    }
    this.prev = encoded.leaf;
    if (pending !== undefined) this.accepted.push({ pending, seq: encoded.entry.seq, leaf: encoded.leaf.toString('hex') });
  }

  finish(keyId: string): Prepared {
    return {
      base: this.base,
      end: { size: this.frontier.size, frontier: this.frontier.hashes(), lastLeaf: this.prev, keyId },
      entries: this.entries,
      nodes: this.nodes,
      accepted: this.accepted,
      root: this.frontier.root(),
    };
  }
}

export class LedgerAppender {
  private queue: Pending[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** The head the most recently started batch will leave, once it is encoded (undefined: unknown). */
  private lastPrepared: Promise<HeadState | undefined> = Promise.resolve(undefined);
  private closed = false;
  private scheduled = false;
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
      this.schedule();
    });
  }

  /**
   * Records this appender's signing key now (a `key.rotated` entry and its checkpoint) unless the
   * latest checkpoint is already signed by it, so a new log or a new key shows in the log at start.
   */
  async recordKey(): Promise<void> {
    const running = this.commit([]);
    this.inFlight.add(running);
    try {
      await running;
    } finally {
      this.inFlight.delete(running);
    }
  }

  /** Waits for queued appends to settle; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.inFlight.size > 0 || this.queue.length > 0) {
      if (this.inFlight.size === 0) this.pump();
      await Promise.all(this.inFlight);
    }
  }

  /** Starts batches on the next turn of the event loop, so appends made in one turn share a batch. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight.size < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const running: Promise<void> = this.commit(batch).finally(() => {
        this.inFlight.delete(running);
        this.schedule();
      });
      this.inFlight.add(running);
    }
  }

  /**
   * Encodes each append of the batch in turn; an append whose entry cannot be encoded, or whose
   * effect fails (rolled back to its savepoint), is rejected alone and takes no seq. Effects need
   * `trx`: batches with effects are only ever encoded under the lock.
   */
  private async fill(builder: BatchBuilder, batch: Pending[], trx?: Transaction<Database>): Promise<Prepared> {
    for (const pending of batch) {
      let encoded: EncodedEntry;
      try {
        encoded = builder.encode(pending.request.draft);
        const effect = pending.request.effect;
        if (effect !== undefined) {
          if (trx === undefined) throw new Error('an effect runs only inside the batch transaction');
          await runInSavepoint(trx, builder.size, effect);
        }
      } catch (error) {
        pending.reject(error);
        continue;
      }
      builder.add(encoded, pending);
    }
    return builder.finish(this.keyIdHex);
  }

  /** Encodes a batch under the lock from the stored head, recording a new signing key first. */
  private async prepareLocked(trx: Transaction<Database>, head: HeadSummary, batch: Pending[], time: string): Promise<Prepared> {
    const builder = new BatchBuilder({ ...head, frontier: await readFrontier(trx, head.size) }, time);
    if (head.keyId !== this.keyIdHex) {
      const previous = head.keyId === undefined ? null : ((await keyInForce(trx, head.size))?.key ?? null);
      builder.add(
        builder.encode({ kind: KEY_ROTATED, actor: { unit: null, subject: null }, payload: { key: this.verifierKey, previous } }),
      );
    }
    return this.fill(builder, batch, trx);
  }

  private async storeOpenings(trx: Transaction<Database>, prepared: Prepared): Promise<void> {
    const sealed = prepared.accepted.flatMap(({ pending, seq }) =>
      pending.request.openings === undefined || pending.request.openings.length === 0
        ? []
        : [{ seq, openings: pending.request.openings }],
    );
    if (sealed.length === 0) return;
    if (this.options.vault === undefined) throw new Error('entries with sealed fields need a vault');
    await this.options.vault.storeBatch(trx, sealed);
  }

  private async commit(batch: Pending[]): Promise<void> {
    const previous = this.lastPrepared;
    let publish: (end: HeadState | undefined) => void = () => {};
    this.lastPrepared = new Promise((resolve) => {
      publish = resolve;
    });
    const time = entryTime(this.now());
    // Encoding is chained batch after batch in memory; commits overlap.
    const base = await previous;
    const optimistic =
      base !== undefined && base.keyId === this.keyIdHex && batch.every((pending) => pending.request.effect === undefined)
        ? await this.fill(new BatchBuilder(base, time), batch)
        : undefined;
    if (optimistic !== undefined) publish(optimistic.end);
    let prepared: Prepared | undefined;
    try {
      await transact(this.options.db, 'ledger.append', async (trx) => {
        await lockLedger(trx);
        const head = await readHeadSummary(trx);
        if (optimistic !== undefined && sameHead(optimistic.base, head)) {
          prepared = optimistic;
        } else {
          prepared = await this.prepareLocked(trx, head, batch, time);
          publish(prepared.end);
        }
        if (prepared.entries.length === 0) return;
        await insertEntries(trx, prepared.entries);
        await this.storeOpenings(trx, prepared);
        await insertNodes(trx, prepared.nodes);
        const treeSize = prepared.end.size;
        const note = signCheckpoint(
          { origin: this.options.origin, size: treeSize, root: prepared.root },
          this.options.signingKey,
        );
        await insertCheckpoint(trx, { treeSize, root: prepared.root, keyId: this.keyIdHex, note });
      });
    } catch (error) {
      // Successors encoded against this batch's end find the stored head differs and encode again.
      publish(undefined);
      // An append already rejected for its own fault keeps that rejection (a promise settles once).
      const failure = new LedgerUnavailableError(error);
      for (const pending of batch) pending.reject(failure);
      return;
    }
    const done = prepared as Prepared;
    const committedAt = performance.now();
    this.options.observer?.batchCommitted(
      done.accepted.length,
      done.accepted.map(({ pending }) => committedAt - pending.queuedAt),
    );
    for (const { pending, seq, leaf } of done.accepted) pending.resolve({ seq, leafHash: leaf, treeSize: done.end.size });
  }
}

function sameHead(predicted: HeadState, stored: HeadSummary): boolean {
  if (predicted.size !== stored.size || predicted.keyId !== stored.keyId) return false;
  if (predicted.lastLeaf === undefined || stored.lastLeaf === undefined) return predicted.lastLeaf === stored.lastLeaf;
  return hashesEqual(predicted.lastLeaf, stored.lastLeaf);
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
