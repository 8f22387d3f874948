/** RFC 9162 proofs from stored complete subtrees: one query of O(log n) rows per proof. */
import { consistencyRanges, coverRange, foldCover, inclusionRanges, type LeafRange } from '../ledger/tree.js';
import { C2SP_TREE_HASH, type TreeHash } from '../ledger/tree-hash.js';
import type { Executor } from '../storage/transaction.js';
import { fetchNodes, requireNodes } from './ledger-repository.js';

async function hashRanges(db: Executor, ranges: readonly LeafRange[], hasher: TreeHash): Promise<Buffer[]> {
  const covers = ranges.map((range) => coverRange(range));
  const found = await fetchNodes(db, covers.flat(), hasher);
  return covers.map((cover) => foldCover(requireNodes(found, cover), hasher));
}

/** The audit path for leaf `seq` in the tree of `size` leaves, leaf to root. */
export function inclusionProof(db: Executor, seq: number, size: number, hasher: TreeHash = C2SP_TREE_HASH): Promise<Buffer[]> {
  return hashRanges(db, inclusionRanges(seq, size), hasher);
}

/** The consistency proof from the tree of `from` leaves to the tree of `to` leaves (0 < from <= to). */
export function consistencyProof(db: Executor, from: number, to: number, hasher: TreeHash = C2SP_TREE_HASH): Promise<Buffer[]> {
  return hashRanges(db, consistencyRanges(from, to), hasher);
}
