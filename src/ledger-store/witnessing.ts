/**
 * Submitting the log's checkpoints to its witnesses (C2SP tlog-witness), beside the write path: on
 * a timer and when a receipt asks for it, the latest stored checkpoint goes to every configured
 * witness with a consistency proof from the size that witness last cosigned. Verified cosignature
 * lines are stored; once a quorum cosigned a size, the history guard is bound to it. A witness that
 * has cosigned more than the log holds, or that cannot verify the log extends what it cosigned
 * (409 on its own size, 422), is evidence of a rewritten history: the ledger halts. Witnesses that
 * cannot be reached or refuse the log's key are reported, not fatal.
 */
import { type CosignerKey, splitNote, verifyCosignatures } from '../ledger/cosignature.js';
import type { IntegrityFinding } from '../ledger/history-guard.js';
import type { TreeHash } from '../ledger/tree-hash.js';
import { formatAddCheckpoint, parseTlogSize, TLOG_SIZE_TYPE } from '../ledger/witness-exchange.js';
import type { Executor } from '../storage/transaction.js';
import { insertCosignature, latestCosigned, latestWitnessed } from './cosignature-repository.js';
import { type LedgerIntegrity, LedgerIntegrityError } from './ledger-integrity.js';
import { consistencyProof } from './ledger-proofs.js';
import { type CheckpointRow, latestCheckpoint } from './ledger-repository.js';

export interface WitnessEndpoint {
  readonly key: CosignerKey;
  /** The submission prefix; `add-checkpoint` is posted below it. */
  readonly url: string;
}

export interface WitnessStatus {
  readonly name: string;
  readonly cosignedSize: number | undefined;
  readonly lastError: string | undefined;
}

export interface WitnessingOptions {
  readonly db: Executor;
  readonly origin: string;
  /** The log's tree hash (its suite's); SHA-256 unless said. */
  readonly hasher?: TreeHash;
  readonly witnesses: readonly WitnessEndpoint[];
  readonly quorum: number;
  readonly integrity: LedgerIntegrity;
  readonly intervalMs: number;
  readonly timeoutMs?: number;
  readonly onError?: (witness: string, message: string) => void;
}

const MAX_ATTEMPTS = 3;

export class Witnessing {
  /** The size each witness last cosigned, as far as this process knows. */
  private readonly known = new Map<string, number>();
  /** Witnesses that answered this process: until one has, its stored size is only what the database says. */
  private readonly confirmed = new Set<string>();
  private readonly errors = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly options: WitnessingOptions) {}

  get configured(): boolean {
    return this.options.witnesses.length > 0;
  }

  get quorum(): number {
    return this.options.quorum;
  }

  get names(): string[] {
    return this.options.witnesses.map((witness) => witness.key.name);
  }

  get keys(): CosignerKey[] {
    return this.options.witnesses.map((witness) => witness.key);
  }

  status(): WitnessStatus[] {
    return this.options.witnesses.map((witness) => ({
      name: witness.key.name,
      cosignedSize: this.known.get(witness.key.name),
      lastError: this.errors.get(witness.key.name),
    }));
  }

  /**
   * Loads what each witness last cosigned, runs a first round and starts the timer. Resolves once the
   * first round is over, so that a witness ahead of the stored log halts the ledger before the
   * process records anything (a witness that does not answer delays it by the request timeout).
   */
  async start(): Promise<void> {
    if (!this.configured) return;
    for (const [name, row] of await latestCosigned(this.options.db, this.names)) this.known.set(name, row.treeSize);
    this.timer = setInterval(() => this.request(), this.options.intervalMs);
    this.timer.unref();
    this.request();
    await this.running;
  }

  /** Asks for a round now (one runs at a time; a request during a round runs one more after it). */
  request(): void {
    if (!this.configured || this.closed) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.request();
        }
      });
  }

  /** Runs a round now and waits for it (tests, and the receipt route's bounded wait). */
  async roundNow(): Promise<void> {
    while (this.running !== undefined) await this.running;
    this.running = this.round().finally(() => {
      this.running = undefined;
    });
    await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async round(): Promise<void> {
    if (this.options.integrity.halted !== undefined) return;
    const latest = await latestCheckpoint(this.options.db);
    if (latest === undefined) return;
    await Promise.all(this.options.witnesses.map((witness) => this.submit(witness, latest)));
    const witnessed = await latestWitnessed(this.options.db, this.options.origin, this.keys, this.options.quorum);
    if (witnessed !== undefined) this.options.integrity.noteWitnessed({ origin: this.options.origin, ...witnessed });
  }

  private async submit(witness: WitnessEndpoint, checkpoint: CheckpointRow): Promise<void> {
    const name = witness.key.name;
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const old = this.known.get(name) ?? 0;
        // Until a witness has answered, the latest checkpoint goes to it even at its stored size: only its
        // answer says what it really cosigned (the stored cosignatures may have been deleted).
        if (old === checkpoint.treeSize && this.confirmed.has(name)) return;
        if (old > checkpoint.treeSize) return await this.witnessAhead(name, old);
        const proof = old === 0 ? [] : await consistencyProof(this.options.db, old, checkpoint.treeSize, this.options.hasher);
        const answer = await this.post(witness, formatAddCheckpoint({ oldSize: old, proof, checkpoint: checkpoint.note }));
        if (answer.status === 200) {
          await insertCosignature(this.options.db, {
            witness: name,
            treeSize: checkpoint.treeSize,
            root: checkpoint.root,
            signature: this.accept(witness, checkpoint, answer.body),
            cosignedAt: new Date(),
          });
          this.known.set(name, checkpoint.treeSize);
          this.confirmed.add(name);
          this.errors.delete(name);
          return;
        }
        if (answer.status === 409 && answer.type.startsWith(TLOG_SIZE_TYPE)) {
          const size = parseTlogSize(answer.body);
          if (size === old) {
            this.halt({
              check: 'witness-refused',
              reference: name,
              detail: `witness ${name} holds another root for size ${size}`,
            });
          }
          this.known.set(name, size);
          this.confirmed.add(name);
          continue;
        }
        if (answer.status === 422) {
          this.halt({
            check: 'witness-refused',
            reference: name,
            detail: `witness ${name} cannot verify that the stored log extends what it cosigned at size ${old}`,
          });
        }
        throw new Error(`${answer.status} ${answer.body.trim().slice(0, 200)}`);
      }
      throw new Error('the witness kept answering 409');
    } catch (error) {
      if (error instanceof LedgerIntegrityError) return;
      const message = (error as Error).message;
      this.errors.set(name, message);
      this.options.onError?.(name, message);
    }
  }

  /** The cosignature line by `witness` in its answer, verified on the checkpoint's body. */
  private accept(witness: WitnessEndpoint, checkpoint: CheckpointRow, body: string): string {
    const lines = body.split('\n').filter((line) => line !== '');
    const found = verifyCosignatures(splitNote(checkpoint.note).body, lines, [witness.key]);
    const line = found[0]?.line;
    if (line === undefined) throw new Error('the answer holds no cosignature by the witness key');
    return line;
  }

  private async witnessAhead(name: string, size: number): Promise<void> {
    // Another replica may have written since this round read the head.
    const latest = await latestCheckpoint(this.options.db);
    if (latest !== undefined && latest.treeSize >= size) return;
    this.halt({
      check: 'witness-ahead',
      reference: name,
      detail: `witness ${name} has cosigned size ${size}; the log's latest checkpoint is of size ${latest?.treeSize ?? 0}`,
    });
  }

  private halt(finding: IntegrityFinding): never {
    return this.options.integrity.halt(finding);
  }

  private async post(witness: WitnessEndpoint, body: string): Promise<{ status: number; type: string; body: string }> {
    const response = await fetch(`${witness.url.replace(/\/$/, '')}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
  }
}
