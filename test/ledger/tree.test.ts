import fc from 'fast-check';
import t from 'tap';
import { leafHash, nodeHash } from '../../src/ledger/hashes.js';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../../src/ledger/proofs.js';
import {
  consistencyRanges,
  coverRange,
  foldCover,
  inclusionRanges,
  type LeafRange,
  splitPoint,
  TreeFrontier,
} from '../../src/ledger/tree.js';

/** RFC 6962's Merkle tree hash, written from its definition as the reference. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function hashesOf(leaves: Buffer[], ranges: LeafRange[]): Buffer[] {
  return ranges.map((range) => mth(leaves.slice(range.start, range.end)));
}

// The Certificate Transparency test data (RFC 6962 reference implementation).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  (hex) => leafHash(Buffer.from(hex, 'hex')),
);
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

t.test('the frontier gives the RFC 6962 known roots of the CT test data', async (t) => {
  const frontier = new TreeFrontier();
  CT_LEAVES.forEach((leaf, i) => {
    frontier.append(leaf);
    t.equal(frontier.root().toString('hex'), CT_ROOTS[i], `root of ${i + 1} leaves`);
  });
  t.equal(mth(CT_LEAVES).toString('hex'), '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
});

const LEAVES = Array.from({ length: 64 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

function flipBit(hash: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(hash);
  copy[Math.floor(bit / 8)] = (copy[Math.floor(bit / 8)] as number) ^ (1 << (bit % 8));
  return copy;
}

t.test('every inclusion proof for every tree size up to 64 verifies, and every one-bit mutation fails', async (t) => {
  let proofs = 0;
  let mutations = 0;
  for (let n = 1; n <= 64; n += 1) {
    const root = mth(LEAVES.slice(0, n));
    for (let m = 0; m < n; m += 1) {
      const path = hashesOf(LEAVES, inclusionRanges(m, n));
      const leaf = LEAVES[m] as Buffer;
      if (!verifyInclusion(m, n, leaf, path, root)) t.fail(`inclusion ${m} in ${n}`);
      proofs += 1;
      for (let i = 0; i < path.length; i += 1) {
        for (let bit = 0; bit < 256; bit += 37) {
          const mutated = path.map((hash, j) => (j === i ? flipBit(hash, bit) : hash));
          if (verifyInclusion(m, n, leaf, mutated, root)) t.fail(`mutated inclusion ${m} in ${n} verified`);
          mutations += 1;
        }
      }
      if (verifyInclusion(m, n, flipBit(leaf, 3), path, root)) t.fail('a mutated leaf verified');
      if (verifyInclusion(m, n, leaf, path, flipBit(root, 200))) t.fail('a mutated root verified');
      if (path.length > 0 && verifyInclusion(m, n, leaf, path.slice(0, -1), root)) t.fail('a shortened path verified');
      if (verifyInclusion(m, n, leaf, [...path, root], root)) t.fail('a lengthened path verified');
      if (n > 1 && verifyInclusion((m + 1) % n, n, leaf, path, root) && LEAVES[(m + 1) % n] !== leaf) {
        t.fail('a proof verified at another index');
      }
    }
  }
  t.equal(proofs, 2080, 'all 2080 inclusion proofs verified');
  t.ok(mutations > 10_000, `${mutations} mutated proofs refused`);
  t.equal(rootFromInclusionProof(5, 5, LEAVES[0] as Buffer, []), undefined, 'an index beyond the tree is refused');
});

t.test('every consistency proof between tree sizes up to 64 verifies, and every one-bit mutation fails', async (t) => {
  let proofs = 0;
  for (let n = 1; n <= 64; n += 1) {
    const second = mth(LEAVES.slice(0, n));
    for (let m = 1; m <= n; m += 1) {
      const first = mth(LEAVES.slice(0, m));
      const path = hashesOf(LEAVES, consistencyRanges(m, n));
      if (!verifyConsistency(m, n, first, second, path)) t.fail(`consistency ${m} → ${n}`);
      proofs += 1;
      for (let i = 0; i < path.length; i += 1) {
        for (let bit = 0; bit < 256; bit += 53) {
          const mutated = path.map((hash, j) => (j === i ? flipBit(hash, bit) : hash));
          if (verifyConsistency(m, n, first, second, mutated)) t.fail(`mutated consistency ${m} → ${n} verified`);
        }
      }
      if (m < n && verifyConsistency(m, n, flipBit(first, 1), second, path)) t.fail('a mutated first root verified');
      if (verifyConsistency(m, n, first, flipBit(second, 9), path)) t.fail('a mutated second root verified');
    }
  }
  t.equal(proofs, 2080);
  t.notOk(verifyConsistency(0, 4, Buffer.alloc(32), mth(LEAVES.slice(0, 4)), []), 'size 0 is not a starting point');
  t.notOk(verifyConsistency(5, 4, Buffer.alloc(32), Buffer.alloc(32), []), 'from beyond to is refused');
});

t.test('RFC 9162 §2.1.5 example: the consistency proof between sizes 3 and 7 is [c, d, g, l]', async (t) => {
  t.same(consistencyRanges(3, 7), [
    { start: 2, end: 3 },
    { start: 3, end: 4 },
    { start: 0, end: 2 },
    { start: 4, end: 7 },
  ]);
  t.same(inclusionRanges(0, 7), [
    { start: 1, end: 2 },
    { start: 2, end: 4 },
    { start: 4, end: 7 },
  ]);
});

t.test('the frontier reports exactly the complete subtrees, and covers fold to the tree hash', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 63 }), async (n, cut) => {
      const frontier = new TreeFrontier();
      const stored = new Map<string, Buffer>();
      LEAVES.slice(0, n).forEach((leaf, i) => {
        stored.set(`0/${i}`, leaf);
        for (const { node, hash } of frontier.append(leaf)) stored.set(`${node.level}/${node.idx}`, hash);
      });
      for (const [key, hash] of stored) {
        const [level, idx] = key.split('/').map(Number) as [number, number];
        const width = 2 ** level;
        if (!mth(LEAVES.slice(idx * width, (idx + 1) * width)).equals(hash)) return false;
      }
      // Every range a proof asks for is an RFC 9162 subtree, whose cover folds to its MTH.
      const m = Math.min(cut, n - 1);
      const ranges = [...inclusionRanges(m, n), ...consistencyRanges(m + 1, n), { start: 0, end: n }];
      const folds = ranges.every((range) =>
        foldCover(coverRange(range).map((node) => stored.get(`${node.level}/${node.idx}`) as Buffer)).equals(
          mth(LEAVES.slice(range.start, range.end)),
        ),
      );
      const restored = TreeFrontier.restore(
        n,
        coverRange({ start: 0, end: n }).map((node) => stored.get(`${node.level}/${node.idx}`) as Buffer),
      );
      return folds && frontier.root().equals(mth(LEAVES.slice(0, n))) && restored.root().equals(frontier.root());
    }),
  );
});
