/**
 * The hash a log's tree is built with: RFC 9162 §2.1.1's construction, `H(0x00 ‖ entry)` for a
 * leaf and `H(0x01 ‖ left ‖ right)` for a node, with H = SHA-256 (the `c2sp` suite) or SM3 (GB/T
 * 32905, the `shangmi` suite). A log's suite is fixed when it is created; `prev`, the commitments
 * of sealed fields and every proof use the same H.
 */
import { type KeyObject, hash as oneShotHash } from 'node:crypto';
import { isSm2Key } from './sm2-signatures.js';

export type SuiteName = 'c2sp' | 'shangmi';
export const SUITE_NAMES: readonly SuiteName[] = ['c2sp', 'shangmi'];

/**
 * The kind of the entry 0 that records a log's suite (`payload.suite`). A log whose entry 0 is of
 * another kind is a `c2sp` log: logs created before suites were recorded are all SHA-256 and Ed25519.
 */
export const LEDGER_CREATED = 'ledger.created';

/** The payload of a `ledger.created` entry: the suite, and what it means for each part of the log. */
export function suiteRecord(suite: SuiteName): Readonly<Record<string, string>> {
  return suite === 'shangmi'
    ? { suite, tree_hash: 'sm3', checkpoint_signature: 'sm2-sm3', personal_data: 'sm4-ctr-hmac-sm3' }
    : { suite, tree_hash: 'sha256', checkpoint_signature: 'ed25519', personal_data: 'aes-256-gcm' };
}

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

/** The suite a log signed by `key` is built with: SM2 keys sign `shangmi` logs, Ed25519 keys `c2sp` logs. */
export function suiteOfKey(key: KeyObject): SuiteName {
  return isSm2Key(key) ? 'shangmi' : 'c2sp';
}

/** The tree hash of a log whose checkpoints a verifier key of `algorithm` signs (note.ts). */
export function treeHashOfSigner(key: { readonly algorithm: 'ed25519' | 'sm2-sm3' }): TreeHash {
  return treeHashOf(key.algorithm === 'sm2-sm3' ? 'shangmi' : 'c2sp');
}
