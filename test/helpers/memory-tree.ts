/** RFC 9162 trees held in memory, for tests of checkpoints and proofs without a database. */
import { randomBytes } from 'node:crypto';
import { consistencyRanges, inclusionRanges, TreeFrontier } from '../../src/ledger/tree.js';

function rangeHash(leaves: readonly Buffer[], start: number, end: number): Buffer {
  const frontier = new TreeFrontier();
  for (const leaf of leaves.slice(start, end)) frontier.append(leaf);
  return frontier.root();
}

export class MemoryTree {
  constructor(readonly leaves: Buffer[] = []) {}

  static random(size: number): MemoryTree {
    return new MemoryTree(Array.from({ length: size }, () => randomBytes(32)));
  }

  grow(count: number): this {
    for (let i = 0; i < count; i += 1) this.leaves.push(randomBytes(32));
    return this;
  }

  root(size = this.leaves.length): Buffer {
    return rangeHash(this.leaves, 0, size);
  }

  consistency(from: number, to = this.leaves.length): Buffer[] {
    return consistencyRanges(from, to).map((range) => rangeHash(this.leaves, range.start, range.end));
  }

  inclusion(index: number, size = this.leaves.length): Buffer[] {
    return inclusionRanges(index, size).map((range) => rangeHash(this.leaves, range.start, range.end));
  }

  /** A copy whose leaf `index` is replaced: the same size, another history. */
  forkedAt(index: number): MemoryTree {
    const leaves = [...this.leaves];
    leaves[index] = randomBytes(32);
    return new MemoryTree(leaves);
  }
}
