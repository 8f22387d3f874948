/**
 * The log's defence of its own history. Before a batch encoded from the stored head is signed, the
 * stored tree must extend every checkpoint this process is bound to: the last one it signed itself
 * (held in memory), the latest stored one (its signature checked against the trusted keys), and the
 * latest one the witnesses cosigned. A finding halts the ledger for good in this process: every
 * append is refused with `ledger-integrity`, nothing more is signed, one alarm is raised, and an
 * operator must act (docs/operations.md). A head another replica moved is a consistent extension.
 */
import { type Checkpoint, openCheckpoint } from '../ledger/checkpoint.js';
import { hashesEqual } from '../ledger/hashes.js';
import {
  type BoundCheckpoint,
  checkExtends,
  type IntegrityFinding,
  proofNeeded,
  type TreeHead,
} from '../ledger/history-guard.js';
import { parseVerifierKey, type VerifierKey } from '../ledger/note.js';
import { TreeFrontier } from '../ledger/tree.js';
import { C2SP_TREE_HASH, type TreeHash } from '../ledger/tree-hash.js';
import { DomainError } from '../rules/domain-error.js';
import type { Executor } from '../storage/transaction.js';
import { keyInForce } from './ledger-keys.js';
import { consistencyProof } from './ledger-proofs.js';
import { MissingNodeError, readFrontier, readHeadSummary } from './ledger-repository.js';

/** The ledger stopped because its stored history contradicts a checkpoint it is bound to. */
export class LedgerIntegrityError extends DomainError<'ledger-integrity'> {
  constructor(readonly finding: IntegrityFinding) {
    super('ledger-integrity', `the ledger stopped: ${finding.detail}`);
  }
}

export interface StoredCheckpoint {
  readonly size: number;
  readonly root: Buffer;
  readonly note: string;
}

export interface LedgerIntegrityOptions {
  readonly origin: string;
  readonly trustedKeys: readonly VerifierKey[];
  /** Called once, when the ledger halts: raise the alarm (log line, metric). */
  readonly onHalt: (finding: IntegrityFinding) => void;
  /** The log's tree hash (its suite's); SHA-256 unless said. */
  readonly hasher?: TreeHash;
}

export class LedgerIntegrity {
  private finding: IntegrityFinding | undefined;
  private signed: BoundCheckpoint | undefined;
  private witnessed: BoundCheckpoint | undefined;
  /** The last stored checkpoint note whose signature was checked. */
  private checkedNote: string | undefined;

  constructor(private readonly options: LedgerIntegrityOptions) {}

  get halted(): IntegrityFinding | undefined {
    return this.finding;
  }

  /** Throws the halt's error when the ledger is halted. */
  refuseIfHalted(): void {
    if (this.finding !== undefined) throw new LedgerIntegrityError(this.finding);
  }

  /** Halts the ledger (the first finding is kept) and throws its error. */
  halt(finding: IntegrityFinding): never {
    if (this.finding === undefined) {
      this.finding = finding;
      this.options.onHalt(finding);
    }
    throw new LedgerIntegrityError(this.finding);
  }

  /** This process signed `checkpoint`: later heads must extend it. */
  noteSigned(checkpoint: Checkpoint & { readonly note: string }): void {
    if (this.signed === undefined || checkpoint.size >= this.signed.size) {
      this.signed = { reference: 'signed', size: checkpoint.size, root: checkpoint.root };
      this.checkedNote = checkpoint.note;
    }
  }

  /** A checkpoint reached the witness quorum: later heads must extend it. */
  noteWitnessed(checkpoint: Checkpoint): void {
    if (this.witnessed === undefined || checkpoint.size >= this.witnessed.size) {
      this.witnessed = { reference: 'witnessed', size: checkpoint.size, root: checkpoint.root };
    }
  }

  /**
   * Proves the stored head (read under the ledger lock) consistent with every bound checkpoint and
   * the latest stored one, from stored nodes; halts on the first finding.
   */
  async assertExtends(db: Executor, head: TreeHead, stored: StoredCheckpoint | undefined): Promise<void> {
    this.refuseIfHalted();
    const references: BoundCheckpoint[] = [];
    if (stored !== undefined) references.push(await this.storedReference(db, stored));
    if (this.signed !== undefined) references.push(this.signed);
    if (this.witnessed !== undefined) references.push(this.witnessed);
    for (const reference of references) await this.assertExtendsOne(db, reference, head);
  }

  /** Reads the stored head and proves it extends what this log is bound to (halting if not). */
  async assertStoredHead(db: Executor): Promise<void> {
    this.refuseIfHalted();
    const head = await readHeadSummary(db);
    const hasher = this.options.hasher ?? C2SP_TREE_HASH;
    const root = TreeFrontier.restore(head.size, await readFrontier(db, head.size, hasher), hasher).root();
    await this.assertExtends(db, { size: head.size, root }, head.checkpoint);
  }

  async assertExtendsOne(db: Executor, reference: BoundCheckpoint, head: TreeHead): Promise<void> {
    const finding = await findingAgainst(db, reference, head, this.options.hasher ?? C2SP_TREE_HASH);
    if (finding !== undefined) this.halt(finding);
  }

  /** The latest stored checkpoint, its signature checked (`openStoredCheckpoint`). */
  private async storedReference(db: Executor, stored: StoredCheckpoint): Promise<BoundCheckpoint> {
    const reference = { reference: 'stored', size: stored.size, root: stored.root };
    if (stored.note === this.checkedNote) return reference;
    let opened: Checkpoint;
    try {
      opened = await openStoredCheckpoint(db, stored.note, stored.size, this.options.origin, this.options.trustedKeys);
    } catch (error) {
      this.halt({
        check: 'checkpoint-signature',
        reference: 'stored',
        detail: `the latest stored checkpoint (size ${stored.size}) does not verify: ${(error as Error).message}`,
      });
    }
    if (opened.size !== stored.size || !hashesEqual(opened.root, stored.root)) {
      this.halt({
        check: 'checkpoint-signature',
        reference: 'stored',
        detail: `the stored checkpoint row of size ${stored.size} is not its note`,
      });
    }
    this.checkedNote = stored.note;
    return reference;
  }
}

/**
 * Opens a stored checkpoint of `size`: its signature must verify under the trusted keys or, for a
 * key rotated in without being configured, the key the log's own `key.rotated` entries name for it.
 */
export async function openStoredCheckpoint(
  db: Executor,
  note: string,
  size: number,
  origin: string,
  trustedKeys: readonly VerifierKey[],
): Promise<Checkpoint> {
  const recorded = await keyInForce(db, size);
  return openCheckpoint(note, origin, recorded === undefined ? trustedKeys : [...trustedKeys, parseVerifierKey(recorded.key)]);
}

/** Whether the stored head extends `reference`, proven from stored nodes; the finding if not. */
async function findingAgainst(
  db: Executor,
  reference: BoundCheckpoint,
  head: TreeHead,
  hasher: TreeHash,
): Promise<IntegrityFinding | undefined> {
  const needed = proofNeeded(reference, head);
  let proof: Buffer[] = [];
  if (needed !== undefined) {
    try {
      proof = await consistencyProof(db, needed.from, needed.to, hasher);
    } catch (error) {
      if (!(error instanceof MissingNodeError)) throw error;
      return { check: 'nodes-missing', reference: reference.reference, detail: `${error.message} in the stored tree` };
    }
  }
  return checkExtends(reference, head, proof, hasher);
}
