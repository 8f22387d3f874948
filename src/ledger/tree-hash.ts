/**
 * The hash a log's tree is built with: RFC 9162 §2.1.1's construction, `H(0x00 ‖ entry)` for a
 * leaf and `H(0x01 ‖ left ‖ right)` for a node, with H = SHA-256 (the `c2sp` suite) or SM3 (GB/T
 * 32905, the `shangmi` suite). A log's suite is fixed when it is created; `prev`, the commitments
 * of sealed fields and every proof use the same H.
 */
import { hash as oneShotHash } from 'node:crypto';

export type SuiteName = 'c2sp' | 'shangmi';
export const SUITE_NAMES: readonly SuiteName[] = ['c2sp', 'shangmi'];

export interface TreeHash {
  readonly suite: SuiteName;
  /** The name `node:crypto` (and OpenSSL) knows H by. */
  readonly algorithm: 'sha256' | 'sm3';
  /** H of the parts laid end to end. */
  digest(...parts: Uint8Array[]): Buffer;
  /** H(0x00 ‖ entry bytes) */
  leaf(bytes: Uint8Array): Buffer;
  /** H(0x01 ‖ left ‖ right) */
  node(left: Uint8Array, right: Uint8Array): Buffer;
  /** H of no bytes: the root of the empty tree. */
  readonly emptyTree: Buffer;
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

function treeHash(suite: SuiteName, algorithm: 'sha256' | 'sm3'): TreeHash {
  // The one-shot API is about twice as fast for the small inputs of a tree.
  const of = (bytes: Uint8Array) => oneShotHash(algorithm, bytes, 'buffer') as unknown as Buffer;
  return {
    suite,
    algorithm,
    digest: (...parts) => of(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts)),
    leaf: (bytes) => of(Buffer.concat([LEAF_PREFIX, bytes])),
    node: (left, right) => of(Buffer.concat([NODE_PREFIX, left, right], 1 + left.length + right.length)),
    emptyTree: of(Buffer.alloc(0)),
  };
}

export const C2SP_TREE_HASH: TreeHash = treeHash('c2sp', 'sha256');
export const SHANGMI_TREE_HASH: TreeHash = treeHash('shangmi', 'sm3');

export function treeHashOf(suite: SuiteName): TreeHash {
  return suite === 'shangmi' ? SHANGMI_TREE_HASH : C2SP_TREE_HASH;
}
