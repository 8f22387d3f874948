/**
 * One batch of appends as rows: encoded from a head (the stored one, or the one the previous batch
 * will leave), with the entries, the completed tree nodes to store and the new root.
 */
import { type EncodedEntry, type EntryDraft, encodeEntry } from '../ledger/entry.js';
import { hashesEqual } from '../ledger/hashes.js';
import type { Receipt } from '../ledger/receipt.js';
import { TreeFrontier } from '../ledger/tree.js';
import { C2SP_TREE_HASH, type TreeHash } from '../ledger/tree-hash.js';
import { indexedCamera } from '../rules/entry-index.js';
import type { AppendRequest } from './append-request.js';
import { type EntryRow, type HeadSummary, type NodeRow, STORED_NODE_MIN_LEVEL } from './ledger-repository.js';
import type { SealedItem } from './vault.js';

export interface Pending {
  readonly request: AppendRequest;
  readonly queuedAt: number;
  resolve(receipt: Receipt): void;
  reject(error: unknown): void;
}

/** The log's state a batch extends. */
export interface HeadState {
  readonly size: number;
  readonly frontier: readonly Buffer[];
  readonly lastLeaf: Buffer | undefined;
  readonly keyId: string | undefined;
}

export interface Prepared {
  readonly base: HeadState;
  readonly end: HeadState;
  readonly entries: EntryRow[];
  readonly nodes: NodeRow[];
  readonly accepted: { pending: Pending; seq: number; leaf: string }[];
  readonly root: Buffer;
}

/** Builds a batch's rows from a head; `effect` runs each append's effect once its seq is known. */
export class BatchBuilder {
  readonly entries: EntryRow[] = [];
  readonly nodes: NodeRow[] = [];
  readonly accepted: { pending: Pending; seq: number; leaf: string }[] = [];
  private readonly frontier: TreeFrontier;
  private prev: Buffer | undefined;

  constructor(
    readonly base: HeadState,
    private readonly time: string,
    private readonly hasher: TreeHash = C2SP_TREE_HASH,
  ) {
    this.frontier = TreeFrontier.restore(base.size, base.frontier, hasher);
    this.prev = base.lastLeaf;
  }

  get size(): number {
    return this.frontier.size;
  }

  encode(draft: Omit<EntryDraft, 'time'>): EncodedEntry {
    return encodeEntry({ ...draft, time: this.time }, this.frontier.size, this.prev, this.hasher);
  }

  add(encoded: EncodedEntry, pending?: Pending): void {
    this.entries.push({
      seq: encoded.entry.seq,
      time: this.time,
      kind: encoded.entry.kind,
      unit: encoded.entry.actor.unit,
      subject: encoded.entry.actor.subject,
      camera: indexedCamera(encoded.entry.kind, encoded.entry.payload),
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

/** The openings of the batch's accepted appends, by the seq each entry took. */
export function sealedItems(prepared: Prepared): SealedItem[] {
  return prepared.accepted.flatMap(({ pending, seq }) =>
    pending.request.openings === undefined || pending.request.openings.length === 0
      ? []
      : [{ seq, openings: pending.request.openings }],
  );
}

export function sameHead(predicted: HeadState, stored: HeadSummary): boolean {
  if (predicted.size !== stored.size || predicted.keyId !== stored.keyId) return false;
  if (predicted.lastLeaf === undefined || stored.lastLeaf === undefined) return predicted.lastLeaf === stored.lastLeaf;
  return hashesEqual(predicted.lastLeaf, stored.lastLeaf);
}
