/**
 * The one streaming verifier, fed by the database (POST /v1/ledger/verifications) and by an export
 * file (footage-warden verify). Memory is constant: the tree frontier (O(log n) hashes), the key
 * rotations, and whatever stored nodes or checkpoints the caller queues ahead of the entries.
 *
 * Checks, in order of the entries: canonical entry bytes; seq equals position; `prev` equals the
 * previous leaf hash; the stored leaf hash; every stored complete-subtree hash; every checkpoint's
 * signature (by the key in force at its size, which must be trusted), origin and root. The first
 * failure stops it and names the entry.
 */
import { type Checkpoint, openCheckpoint, parseCheckpointBody } from './checkpoint.js';
import { decodeEntry, type Entry, EntryError } from './entry.js';
import { hashesEqual } from './hashes.js';
import type { DecodedLeaves } from './leaf-decoding.js';
import { NoteError, parseVerifierKey, type VerifierKey } from './note.js';
import { checkOpening, type Opening } from './sealing.js';
import { type NodeRef, nodeKey, TreeFrontier } from './tree.js';
import { LEDGER_CREATED, SUITE_NAMES, type SuiteName, type TreeHash, treeHashOf, treeHashOfSigner } from './tree-hash.js';

export type Check =
  | 'suite'
  | 'entry-format'
  | 'seq'
  | 'missing-entry'
  | 'chain'
  | 'leaf-hash'
  | 'tree-node'
  | 'checkpoint-signature'
  | 'checkpoint-key'
  | 'checkpoint-root'
  | 'checkpoint-order'
  | 'trusted-checkpoint'
  | 'truncated'
  | 'opening';

export interface Failure {
  readonly seq: number;
  readonly check: Check;
  readonly expected: string;
  readonly actual: string;
}

export interface VerificationResult {
  readonly ok: boolean;
  readonly treeSize: number;
  /** Root of the verified tree, hex; empty-tree hash for an empty log. */
  readonly root: string;
  readonly entriesChecked: number;
  readonly checkpointsChecked: number;
  readonly firstFailure: Failure | null;
}

export interface VerifierOptions {
  readonly origin: string;
  /** Keys trusted to sign checkpoints; each checkpoint must also be signed by the key in force. */
  readonly trustedKeys: readonly VerifierKey[];
  /** Start from a verified state other than the empty log (an incremental verification). */
  readonly start?: { readonly size: number; readonly frontier: readonly Uint8Array[]; readonly lastLeaf: Uint8Array | undefined };
  /** A checkpoint the caller trusts; the log must pass through it. */
  readonly trusted?: Checkpoint;
  /** Whether stored complete-subtree hashes are supplied (database) or not (an export). */
  readonly checkNodes: boolean;
  /** The lowest level at which complete subtrees are stored (lower ones are recomputed, not stored). */
  readonly storedFromLevel?: number;
  /**
   * The log's tree hash, when the caller knows its suite; entry 0 must then record the same. Unsaid,
   * the suite is the trusted keys' (SM2 keys: `shangmi`), and entry 0, when the stream holds it, decides.
   */
  readonly hasher?: TreeHash;
}

const ZERO_HASH = Buffer.alloc(32);

interface KeyRotation {
  readonly seq: number;
  readonly key: VerifierKey;
}

export class LogVerifier {
  private frontier: TreeFrontier;
  private lastLeaf: Buffer | undefined;
  private failure: Failure | null = null;
  private entries = 0;
  private checkpoints = 0;
  private activeKey: KeyRotation | undefined;
  private lastEntry: Entry | undefined;
  private openings = 0;
  private readonly storedNodes = new Map<string, Buffer>();
  private readonly queued: { note: string; size: number }[] = [];

  private hasher: TreeHash;

  constructor(private readonly options: VerifierOptions) {
    const start = options.start;
    const sm3 = options.trustedKeys.length > 0 && options.trustedKeys.every((key) => treeHashOfSigner(key).suite === 'shangmi');
    this.hasher = options.hasher ?? treeHashOf(sm3 ? 'shangmi' : 'c2sp');
    this.frontier =
      start === undefined ? new TreeFrontier(this.hasher) : TreeFrontier.restore(start.size, start.frontier, this.hasher);
    this.lastLeaf = start?.lastLeaf === undefined ? undefined : Buffer.from(start.lastLeaf);
  }

  get size(): number {
    return this.frontier.size;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  private fail(seq: number, check: Check, expected: string, actual: string): void {
    this.failure ??= { seq, check, expected, actual };
  }

  /**
   * Entry 0 names the log's suite: a `ledger.created` entry records it, and a log whose entry 0 is
   * anything else is a `c2sp` log. The tree is hashed with that suite's hash from entry 0 on.
   */
  private takeSuiteOf(entry: Entry): boolean {
    const named = entry.kind === LEDGER_CREATED ? entry.payload.suite : 'c2sp';
    if (!SUITE_NAMES.includes(named as SuiteName)) {
      this.fail(0, 'suite', `one of ${SUITE_NAMES.join(', ')}`, String(named));
      return false;
    }
    if (named === this.hasher.suite) return true;
    if (this.options.hasher !== undefined) {
      this.fail(0, 'suite', `a ${this.options.hasher.suite} log`, `entry 0 records the ${String(named)} suite`);
      return false;
    }
    this.hasher = treeHashOf(named as SuiteName);
    this.frontier = new TreeFrontier(this.hasher);
    return true;
  }

  /** The key in force is unknown before the first key.rotated entry of a partial stream: seed it. */
  seedActiveKey(seq: number, keyText: string): void {
    this.activeKey = { seq, key: parseVerifierKey(keyText) };
  }

  /** Stored complete-subtree hashes (level >= 1) to compare as the frontier completes them. */
  expectNodes(nodes: readonly { level: number; idx: number; hash: Uint8Array }[]): void {
    for (const node of nodes) this.storedNodes.set(nodeKey(node), Buffer.from(node.hash));
  }

  /** A signed checkpoint, verified when the stream reaches its size. */
  queueCheckpoint(note: string): void {
    if (this.failure !== null) return;
    let size: number;
    try {
      size = parseCheckpointBody(note.slice(0, Math.max(note.indexOf('\n\n') + 1, 0))).size;
    } catch (error) {
      this.fail(Math.max(this.frontier.size - 1, 0), 'checkpoint-signature', 'a checkpoint note', (error as Error).message);
      return;
    }
    this.queued.push({ note, size });
    this.settleCheckpoints();
  }

  entry(position: number, bytes: Uint8Array, storedLeaf?: Uint8Array): void {
    if (this.failure !== null || !this.atPosition(position)) return;
    let entry: Entry;
    try {
      entry = decodeEntry(bytes);
    } catch (error) {
      this.fail(position, 'entry-format', 'a canonical entry', error instanceof EntryError ? error.message : 'unreadable');
      return;
    }
    if (position === 0 && !this.takeSuiteOf(entry)) return;
    const rotatedKey = entry.kind === 'key.rotated' ? String(entry.payload.key) : undefined;
    if (this.accept(entry.seq, Buffer.from(entry.prev, 'hex'), this.hasher.leaf(bytes), storedLeaf, rotatedKey)) {
      this.lastEntry = entry;
    }
  }

  /**
   * Entries decoded in bulk (decodeLeaves, possibly in another thread); `stored[i]` says where entry
   * i was found and, when there is one, the leaf hash stored for it.
   */
  decodedEntries(decoded: DecodedLeaves, stored: readonly { readonly seq: number; readonly leafHash?: Uint8Array }[]): void {
    const errors = new Map(decoded.errors.map((error) => [error.index, error.message]));
    const rotations = new Map(decoded.rotations.map((rotation) => [rotation.index, rotation.key]));
    for (let i = 0; i < decoded.count; i++) {
      const position = (stored[i] as { seq: number }).seq;
      if (this.failure !== null || !this.atPosition(position)) return;
      const error = errors.get(i);
      if (error !== undefined) {
        this.fail(position, 'entry-format', 'a canonical entry', error);
        return;
      }
      const offset = decoded.hashes.byteOffset + i * 64;
      const leaf = Buffer.from(decoded.hashes.buffer, offset, 32);
      // A linked entry's prev and stored leaf were compared where it was decoded.
      const linked = decoded.linked[i] === 1 && this.lastLeaf !== undefined && position > 0;
      const prev = linked ? undefined : Buffer.from(decoded.hashes.buffer, offset + 32, 32);
      if (this.accept(decoded.seqs[i] as number, prev, leaf, linked ? undefined : stored[i]?.leafHash, rotations.get(i))) {
        this.lastEntry = undefined;
      }
    }
  }

  /** Whether the next entry is the one at `position`; records the failure when it is not. */
  private atPosition(position: number): boolean {
    const expectedSeq = this.frontier.size;
    if (position === expectedSeq) return true;
    this.fail(expectedSeq, position > expectedSeq ? 'missing-entry' : 'seq', `entry ${expectedSeq}`, `entry ${position}`);
    return false;
  }

  /**
   * The in-order checks of the next entry, given what its bytes say; true when it is accepted.
   * `prev` undefined: already found equal to the previous leaf hash.
   */
  private accept(
    seq: number,
    prev: Buffer | undefined,
    leaf: Buffer,
    storedLeaf: Uint8Array | undefined,
    rotatedKey: string | undefined,
  ): boolean {
    const expectedSeq = this.frontier.size;
    if (seq !== expectedSeq) {
      this.fail(expectedSeq, 'seq', String(expectedSeq), String(seq));
      return false;
    }
    const expectedPrev = this.lastLeaf ?? ZERO_HASH;
    if (prev !== undefined && !prev.equals(expectedPrev)) {
      // The successor recorded another hash for its predecessor: the predecessor changed.
      this.fail(Math.max(expectedSeq - 1, 0), 'chain', prev.toString('hex'), expectedPrev.toString('hex'));
      return false;
    }
    if (storedLeaf !== undefined && !hashesEqual(leaf, storedLeaf)) {
      this.fail(expectedSeq, 'leaf-hash', leaf.toString('hex'), Buffer.from(storedLeaf).toString('hex'));
      return false;
    }
    if (rotatedKey !== undefined) {
      try {
        this.activeKey = { seq: expectedSeq, key: parseVerifierKey(rotatedKey) };
      } catch (error) {
        this.fail(expectedSeq, 'entry-format', 'a verifier key', error instanceof NoteError ? error.message : 'unreadable');
        return false;
      }
    }
    for (const completed of this.frontier.append(leaf)) {
      if (!this.options.checkNodes || completed.node.level < (this.options.storedFromLevel ?? 1)) continue;
      this.checkNode(completed.node, completed.hash, expectedSeq);
      if (this.failure !== null) return false;
    }
    this.lastLeaf = leaf;
    this.entries += 1;
    this.checkTrusted();
    this.settleCheckpoints();
    return true;
  }

  /** An opened personal value of the entry just given: it must open that entry's commitment. */
  opening(seq: number, opening: Opening): void {
    if (this.failure !== null) return;
    if (this.lastEntry === undefined || this.lastEntry.seq !== seq) {
      this.fail(seq, 'opening', 'an opening right after its entry', `an opening for entry ${seq}`);
    } else if (!checkOpening(this.lastEntry, opening, this.hasher)) {
      this.fail(seq, 'opening', `the commitment at ${opening.pointer}`, 'a value or salt that does not open it');
    } else {
      this.openings += 1;
    }
  }

  get openingsChecked(): number {
    return this.openings;
  }

  private checkNode(node: NodeRef, computed: Buffer, seq: number): void {
    const key = nodeKey(node);
    const stored = this.storedNodes.get(key);
    this.storedNodes.delete(key);
    if (stored === undefined) this.fail(seq, 'tree-node', `node ${key} = ${computed.toString('hex')}`, 'missing');
    else if (!hashesEqual(stored, computed))
      this.fail(seq, 'tree-node', `node ${key} = ${computed.toString('hex')}`, stored.toString('hex'));
  }

  private checkTrusted(): void {
    const trusted = this.options.trusted;
    if (trusted === undefined || trusted.size !== this.frontier.size) return;
    const root = this.frontier.root();
    if (!hashesEqual(root, trusted.root)) {
      this.fail(trusted.size - 1, 'trusted-checkpoint', trusted.root.toString('hex'), root.toString('hex'));
    }
  }

  private settleCheckpoints(): void {
    while (this.failure === null && this.queued.length > 0) {
      const { note, size } = this.queued[0] as { note: string; size: number };
      if (size > this.frontier.size) return;
      this.queued.shift();
      if (size < this.frontier.size) {
        this.fail(Math.max(size - 1, 0), 'checkpoint-order', `a checkpoint of size ${this.frontier.size}`, `size ${size}`);
        return;
      }
      this.checkCheckpoint(note, size);
    }
  }

  private checkCheckpoint(note: string, size: number): void {
    const seq = size - 1;
    const active = this.activeKey;
    if (active === undefined || active.seq >= size) {
      this.fail(seq, 'checkpoint-key', 'a key.rotated entry before the checkpoint', 'none');
      return;
    }
    if (!this.options.trustedKeys.some((key) => key.text === active.key.text)) {
      this.fail(seq, 'checkpoint-key', 'a trusted key', active.key.text);
      return;
    }
    let opened: ReturnType<typeof openCheckpoint>;
    try {
      opened = openCheckpoint(note, this.options.origin, [active.key]);
    } catch (error) {
      this.fail(seq, 'checkpoint-signature', `signed by ${active.key.text}`, (error as Error).message);
      return;
    }
    const root = this.frontier.root();
    if (!hashesEqual(opened.root, root)) {
      this.fail(seq, 'checkpoint-root', root.toString('hex'), opened.root.toString('hex'));
      return;
    }
    this.checkpoints += 1;
  }

  /** Ends the stream; `expectedSize` is the size the log claims (its latest checkpoint). */
  finish(expectedSize?: number): VerificationResult {
    if (this.failure === null && this.queued.length > 0) {
      const pending = (this.queued[0] as { size: number }).size;
      this.fail(this.frontier.size, 'truncated', `${pending} entries (a checkpoint's size)`, `${this.frontier.size} entries`);
    }
    if (this.failure === null && expectedSize !== undefined && expectedSize > this.frontier.size) {
      this.fail(this.frontier.size, 'truncated', `${expectedSize} entries`, `${this.frontier.size} entries`);
    }
    if (this.failure === null && this.options.trusted !== undefined && this.options.trusted.size > this.frontier.size) {
      this.fail(
        this.frontier.size,
        'truncated',
        `at least ${this.options.trusted.size} entries (trusted checkpoint)`,
        `${this.frontier.size}`,
      );
    }
    return {
      ok: this.failure === null,
      treeSize: this.frontier.size,
      root: this.frontier.root().toString('hex'),
      entriesChecked: this.entries,
      checkpointsChecked: this.checkpoints,
      firstFailure: this.failure,
    };
  }
}
