/** Verification of RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2) proofs. */
import { hashesEqual } from './hashes.js';
import { C2SP_TREE_HASH, type TreeHash } from './tree-hash.js';

const isOdd = (value: number) => value % 2 === 1;
const half = (value: number) => Math.floor(value / 2);

function isPowerOfTwo(value: number): boolean {
  let power = 1;
  while (power < value) power *= 2;
  return power === value;
}

/**
 * The walk both proofs take up the tree (RFC 9162 §2.1.3.2 step 5, §2.1.4.2 step 6): a path hash
 * joins the running hashes on their left while `fn` is odd or equal to `sn`, then `fn` is shifted
 * past the right edges; otherwise it joins on their right. True when the walk ends at the root, that
 * is when `sn` reaches 0 exactly as the path is used up.
 */
function walkProof(
  fn: number,
  sn: number,
  path: readonly Uint8Array[],
  joinLeft: (hash: Uint8Array) => void,
  joinRight: (hash: Uint8Array) => void,
): boolean {
  for (const hash of path) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      joinLeft(hash);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      joinRight(hash);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0;
}

/** The root that `path` proves for `leaf` at `index` in a tree of `size`, or undefined if malformed. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  hasher: TreeHash = C2SP_TREE_HASH,
): Buffer | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return undefined;
  let r: Buffer = Buffer.from(leaf);
  const complete = walkProof(
    index,
    size - 1,
    path,
    (hash) => {
      r = hasher.node(hash, r);
    },
    (hash) => {
      r = hasher.node(r, hash);
    },
  );
  return complete ? r : undefined;
}

export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
  hasher: TreeHash = C2SP_TREE_HASH,
): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, path, hasher);
  return computed !== undefined && hashesEqual(computed, root);
}

/** Whether `path` proves the tree of size `first` with root `firstRoot` a prefix of `second`/`secondRoot`. */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  path: readonly Uint8Array[],
  hasher: TreeHash = C2SP_TREE_HASH,
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return path.length === 0 && hashesEqual(firstRoot, secondRoot);
  if (path.length === 0) return false;
  const hashes = isPowerOfTwo(first) ? [firstRoot, ...path] : [...path];
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(hashes[0] as Uint8Array);
  let sr: Buffer = Buffer.from(hashes[0] as Uint8Array);
  const complete = walkProof(
    fn,
    sn,
    hashes.slice(1),
    (hash) => {
      fr = hasher.node(hash, fr);
      sr = hasher.node(hash, sr);
    },
    (hash) => {
      sr = hasher.node(sr, hash);
    },
  );
  return complete && hashesEqual(fr, firstRoot) && hashesEqual(sr, secondRoot);
}
