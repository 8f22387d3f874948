/**
 * Group commit. Appends queue in memory and are taken in batches; each batch is one transaction that
 * takes the ledger's advisory lock, checks the head, inserts the entries, their tree nodes and one
 * signed checkpoint, commits, and only then resolves its waiters with their receipts. Several
 * processes on one database therefore write one linear log, and nothing is acknowledged before
 * COMMIT: a batch that fails rejects every append in it.
 *
 * Two batches may be in flight: while the first commits, the second collects the appends that
 * arrive; once the first is written, the second is encoded against the head the first left (as
 * predicted when the first was encoded) and sent in one round trip (ledger_append_packed) that
 * writes it only if the stored head is that prediction (size, last leaf hash, signing key). On any
 * difference (another process wrote, or the first batch failed) the batch is encoded again from the
 * real head in a transaction that holds the lock. Batches with effects are always encoded under the
 * lock. An entry's time is taken when its batch is encoded, after the entry was appended.
 */

import type { KeyObject } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { signCheckpoint } from '../ledger/checkpoint.js';
import { type EncodedEntry, entryTime } from '../ledger/entry.js';
import { verifierKeyFor } from '../ledger/note.js';
import type { Receipt } from '../ledger/receipt.js';
import { TreeFrontier } from '../ledger/tree.js';
import { LEDGER_CREATED, suiteOfKey, suiteRecord, type TreeHash, treeHashOf } from '../ledger/tree-hash.js';
import { withSpan } from '../observability/tracing.js';
import { DomainError } from '../rules/domain-error.js';
import type { Database } from '../storage/schema.js';
import { transact } from '../storage/transaction.js';
import { BatchBuilder, type HeadState, type Pending, type Prepared } from './ledger-batch.js';
import { type BatchVault, type PackedWrite, preparePredicted, writeLocked, writePredicted } from './ledger-batch-write.js';
import { LedgerIntegrity, LedgerIntegrityError } from './ledger-integrity.js';
import { keyInForce } from './ledger-keys.js';
import { type HeadSummary, lockLedger, readFrontier, readHeadSummary } from './ledger-repository.js';

export type { Receipt } from '../ledger/receipt.js';

import type { AppendRequest, Effect } from './append-request.js';

export type { AppendRequest, Effect } from './append-request.js';

/** The ledger could not be written: nothing of this append was recorded. */
export class LedgerUnavailableError extends DomainError<'ledger-unavailable'> {
  constructor(cause: unknown) {
    super('ledger-unavailable', 'the ledger cannot be written', undefined, { cause });
  }
}

export interface AppenderObserver {
  /** `path`: written as predicted in one round trip, or encoded again under the lock. */
  batchCommitted(size: number, waitedMs: readonly number[], path: 'predicted' | 'locked'): void;
}

export interface AppenderOptions {
  readonly db: Kysely<Database>;
  readonly origin: string;
  readonly signingKey: KeyObject;
  readonly maxBatch?: number;
  readonly observer?: AppenderObserver;
  readonly now?: () => Date;
  /** Where openings are stored; required to append entries with sealed fields. */
  readonly vault?: BatchVault;
  /** The history guard; by default one trusting only this appender's key, raising no alarm. */
  readonly integrity?: LedgerIntegrity;
}

const KEY_ROTATED = 'key.rotated';
const MAX_IN_FLIGHT = 2;

export class LedgerAppender {
  private queue: Pending[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** The head the most recently started batch will leave, once it is encoded (undefined: unknown). */
  private lastPrepared: Promise<HeadState | undefined> = Promise.resolve(undefined);
  /** Settles when the most recently started batch has been written or has failed. */
  private lastSettled: Promise<void> = Promise.resolve();
  private closed = false;
  private scheduled = false;
  /** The batch waiting for the one before it to be written; queued appends join it. */
  private collecting: Pending[] | undefined;
  private readonly verifierKey: string;
  private readonly keyIdHex: string;
  private readonly maxBatch: number;
  private readonly now: () => Date;
  readonly integrity: LedgerIntegrity;
  /** The log's tree hash, which its signing key's suite fixes (tree-hash.ts). */
  readonly hasher: TreeHash;

  constructor(private readonly options: AppenderOptions) {
    const key = verifierKeyFor(options.origin, options.signingKey);
    this.hasher = treeHashOf(suiteOfKey(options.signingKey));
    this.integrity =
      options.integrity ??
      new LedgerIntegrity({ origin: options.origin, trustedKeys: [key], onHalt: () => {}, hasher: this.hasher });
    this.verifierKey = key.text;
    this.keyIdHex = key.keyId.toString('hex');
    this.maxBatch = options.maxBatch ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  /** Resolves with the receipt after the entry is committed; rejects if it was not recorded. */
  append(request: AppendRequest): Promise<Receipt> {
    if (this.closed) return Promise.reject(new LedgerUnavailableError(new Error('the appender is closed')));
    const halted = this.integrity.halted;
    if (halted !== undefined) return Promise.reject(new LedgerIntegrityError(halted));
    return new Promise<Receipt>((resolve, reject) => {
      this.queue.push({ request, queuedAt: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /**
   * Records this appender's signing key now (a `key.rotated` entry and its checkpoint) unless the
   * latest checkpoint is already signed by it, so a new log or a new key shows in the log at start.
   * A halted ledger records nothing; the halt stays for the operator.
   */
  async recordKey(): Promise<void> {
    if (this.integrity.halted !== undefined) return;
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
    if (this.collecting !== undefined) this.join(this.collecting);
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
  private async fill(builder: BatchBuilder, batch: readonly Pending[], trx?: Transaction<Database>): Promise<void> {
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
  }

  /** Queued appends without effects join the collecting batch, up to `maxBatch`. */
  private join(collecting: Pending[]): void {
    const waiting: Pending[] = [];
    for (const pending of this.queue) {
      if (pending.request.effect !== undefined || collecting.length >= this.maxBatch) waiting.push(pending);
      else collecting.push(pending);
    }
    this.queue = waiting;
  }

  /** Encodes a batch under the lock from the stored head, recording a new signing key first. */
  private async prepareLocked(trx: Transaction<Database>, head: HeadSummary, batch: Pending[], time: string): Promise<Prepared> {
    const frontier = await readFrontier(trx, head.size, this.hasher);
    // Nothing is signed over a stored head that does not extend what this log is bound to.
    const root = TreeFrontier.restore(head.size, frontier, this.hasher).root();
    await this.integrity.assertExtends(trx, { size: head.size, root }, head.checkpoint);
    const builder = new BatchBuilder({ ...head, frontier }, time, this.hasher);
    // A new log's entry 0 records its suite, unless it is a `c2sp` log, which records none (as
    // logs did before suites): tree-hash.ts.
    if (head.size === 0 && this.hasher.suite !== 'c2sp') {
      builder.add(
        builder.encode({ kind: LEDGER_CREATED, actor: { unit: null, subject: null }, payload: suiteRecord(this.hasher.suite) }),
      );
    }
    if (head.keyId !== this.keyIdHex) {
      const previous = head.keyId === undefined ? null : ((await keyInForce(trx, head.size))?.key ?? null);
      builder.add(
        builder.encode({ kind: KEY_ROTATED, actor: { unit: null, subject: null }, payload: { key: this.verifierKey, previous } }),
      );
    }
    await this.fill(builder, batch, trx);
    return builder.finish(this.keyIdHex);
  }

  private async commit(batch: Pending[]): Promise<void> {
    const previous = this.lastPrepared;
    let publish: (end: HeadState | undefined) => void = () => {};
    this.lastPrepared = new Promise((resolve) => {
      publish = resolve;
    });
    const previousSettled = this.lastSettled;
    let settle: () => void = () => {};
    this.lastSettled = new Promise((resolve) => {
      settle = resolve;
    });
    // Encoding is chained batch after batch in memory; commits overlap.
    const base = await previous;
    let prepared: Prepared | undefined;
    let signed: { note: string; keyId: string } | undefined;
    let path: 'predicted' | 'locked' = 'predicted';
    try {
      this.integrity.refuseIfHalted();
      let optimistic: Prepared | undefined;
      if (base !== undefined && base.keyId === this.keyIdHex && batch.every((pending) => pending.request.effect === undefined)) {
        // Until the batch before is written, appends that arrive join this one; it is encoded, and
        // takes its time, once it closes.
        this.collecting = batch;
        await previousSettled;
        if (this.collecting === batch) this.collecting = undefined;
        const builder = new BatchBuilder(base, entryTime(this.now()), this.hasher);
        await this.fill(builder, batch);
        optimistic = builder.finish(this.keyIdHex);
        publish(optimistic.end);
      }
      const predictedCheckpoint =
        optimistic === undefined || optimistic.entries.length === 0 ? undefined : this.checkpointOf(optimistic);
      const write =
        optimistic === undefined || predictedCheckpoint === undefined
          ? undefined
          : await preparePredicted(this.options.db, optimistic, predictedCheckpoint, this.options.vault);
      // A prediction is sent only once the batch it extends is written (above): sent earlier, it could
      // take the lock first, find the head short of its prediction and fall back for nothing.
      if (optimistic !== undefined && (write === undefined || (await this.writePredicted(write, optimistic.entries.length)))) {
        prepared = optimistic;
        signed = predictedCheckpoint;
      } else {
        path = 'locked';
        await transact(this.options.db, 'ledger.append', async (trx) => {
          await lockLedger(trx);
          prepared = await this.prepareLocked(trx, await readHeadSummary(trx), batch, entryTime(this.now()));
          publish(prepared.end);
          if (prepared.entries.length > 0) {
            signed = this.checkpointOf(prepared);
            await writeLocked(trx, prepared, signed, this.options.vault);
          }
        });
      }
    } catch (error) {
      // Successors encoded against this batch's end find the stored head differs and encode again.
      publish(undefined);
      // An append already rejected for its own fault keeps that rejection (a promise settles once).
      const failure = error instanceof LedgerIntegrityError ? error : new LedgerUnavailableError(error);
      for (const pending of batch) pending.reject(failure);
      return;
    } finally {
      settle();
    }
    const done = prepared as Prepared;
    if (signed !== undefined)
      this.integrity.noteSigned({ origin: this.options.origin, size: done.end.size, root: done.root, note: signed.note });
    const committedAt = performance.now();
    this.options.observer?.batchCommitted(
      done.accepted.length,
      done.accepted.map(({ pending }) => committedAt - pending.queuedAt),
      path,
    );
    for (const { pending, seq, leaf } of done.accepted) pending.resolve({ seq, leafHash: leaf, treeSize: done.end.size });
  }

  private checkpointOf(prepared: Prepared): { note: string; keyId: string } {
    const note = signCheckpoint(
      { origin: this.options.origin, size: prepared.end.size, root: prepared.root },
      this.options.signingKey,
    );
    return { note, keyId: this.keyIdHex };
  }

  /** One round trip: written if the stored head is the predicted one. */
  private writePredicted(write: PackedWrite, entries: number): Promise<boolean> {
    return withSpan('ledger.append predicted', { 'ledger.batch': entries }, () => writePredicted(this.options.db, write));
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
