/**
 * RFC 9162 §2.1 Merkle tree maths over a tree stored as complete subtrees. A stored node (level, idx)
 * is the root of leaves [idx·2^level, (idx+1)·2^level); level 0 is a leaf hash. Every hash a proof
 * needs is a range of leaves that decomposes into O(log n) stored nodes. Sizes are JavaScript
 * numbers: exact to 2^53, and never used with 32-bit bit operators.
 */
import { C2SP_TREE_HASH, type TreeHash } from './tree-hash.js';

export interface NodeRef {
  readonly level: number;
  readonly idx: number;
}

/** A leaf range [start, end) whose Merkle tree hash a proof needs. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

export function nodeKey(node: NodeRef): string {
  return `${node.level}/${node.idx}`;
}

/** The largest power of two strictly less than n (n >= 2), RFC 9162 §2.1.1's k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The aligned complete subtrees covering [start, end), left to right, largest first. */
export function coverRange(range: LeafRange): NodeRef[] {
  const nodes: NodeRef[] = [];
  let position = range.start;
  while (position < range.end) {
    let size = 1;
    let level = 0;
    while (position % (size * 2) === 0 && position + size * 2 <= range.end) {
      size *= 2;
      level += 1;
    }
    nodes.push({ level, idx: position / size });
    position += size;
  }
  return nodes;
}

/** MTH of a range from the hashes of its cover: a right fold, as RFC 9162's split recursion gives. */
export function foldCover(hashes: readonly Uint8Array[], hasher: TreeHash = C2SP_TREE_HASH): Buffer {
  if (hashes.length === 0) return hasher.emptyTree;
  let hash: Buffer = Buffer.from(hashes[hashes.length - 1] as Uint8Array);
  for (let i = hashes.length - 2; i >= 0; i -= 1) hash = hasher.node(hashes[i] as Uint8Array, hash);
  return hash;
}

/** The ranges whose hashes form PATH(m, D[0:n]) (RFC 9162 §2.1.3.1), leaf to root. */
export function inclusionRanges(m: number, n: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let start = 0;
  let size = n;
  let index = m;
  while (size > 1) {
    const k = splitPoint(size);
    if (index < k) {
      ranges.push({ start: start + k, end: start + size });
      size = k;
    } else {
      ranges.push({ start, end: start + k });
      start += k;
      index -= k;
      size -= k;
    }
  }
  return ranges.reverse();
}

/** The ranges whose hashes form PROOF(m, D[0:n]) (RFC 9162 §2.1.4.1), for 0 < m <= n. */
export function consistencyRanges(m: number, n: number): LeafRange[] {
  const ranges: LeafRange[] = [];
  let start = 0;
  let size = n;
  let first = m;
  let whole = true;
  while (first !== size) {
    const k = splitPoint(size);
    if (first <= k) {
      ranges.push({ start: start + k, end: start + size });
      size = k;
    } else {
      ranges.push({ start, end: start + k });
      start += k;
      first -= k;
      size -= k;
      whole = false;
    }
  }
  if (!whole) ranges.push({ start, end: start + size });
  return ranges.reverse();
}

/**
 * The right edge of a growing tree: the roots of its complete subtrees, largest first. Appending a
 * leaf reports every node it completes, so a writer can store them and a verifier can check them.
 */
export class TreeFrontier {
  private readonly stack: { level: number; hash: Buffer }[] = [];
  private count = 0;

  constructor(private readonly hasher: TreeHash = C2SP_TREE_HASH) {}

  /** `size` leaves already hashed into `stack` (as `frontierNodes(size)` lists them). */
  static restore(size: number, hashes: readonly Uint8Array[], hasher: TreeHash = C2SP_TREE_HASH): TreeFrontier {
    const frontier = new TreeFrontier(hasher);
    const nodes = frontierNodes(size);
    if (nodes.length !== hashes.length) throw new Error('frontier hashes do not match the tree size');
    for (const [i, node] of nodes.entries()) {
      frontier.stack.push({ level: node.level, hash: Buffer.from(hashes[i] as Uint8Array) });
    }
    frontier.count = size;
    return frontier;
  }

  get size(): number {
    return this.count;
  }

  /** The frontier hashes, largest subtree first: what `restore` takes back. */
  hashes(): Buffer[] {
    return this.stack.map((entry) => entry.hash);
  }

  /** Adds leaf `size` and returns the nodes of level >= 1 it completes, lowest first. */
  append(leaf: Uint8Array): { node: NodeRef; hash: Buffer }[] {
    const completed: { node: NodeRef; hash: Buffer }[] = [];
    let hash: Buffer = Buffer.from(leaf);
    let level = 0;
    let position = this.count;
    while (this.stack.length > 0 && (this.stack[this.stack.length - 1] as { level: number }).level === level) {
      const left = this.stack.pop() as { level: number; hash: Buffer };
      hash = this.hasher.node(left.hash, hash);
      level += 1;
      position = Math.floor(position / 2);
      completed.push({ node: { level, idx: position }, hash });
    }
    this.stack.push({ level, hash });
    this.count += 1;
    return completed;
  }

  root(): Buffer {
    return foldCover(
      this.stack.map((entry) => entry.hash),
      this.hasher,
    );
  }
}

/** The complete subtrees of a tree of `size` leaves, largest first: the frontier to restore. */
export function frontierNodes(size: number): NodeRef[] {
  return coverRange({ start: 0, end: size });
}
