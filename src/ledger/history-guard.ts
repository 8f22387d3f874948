/**
 * Whether a stored tree head extends a checkpoint the log is bound to (one it signed, stored or had
 * witnessed). Pure: the caller reads the head's root and the RFC 9162 consistency proof from
 * storage; a head behind the checkpoint, another root at its size, or a proof that does not verify
 * against both roots is a finding, and the log must not sign over it.
 */
import { hashesEqual } from './hashes.js';
import { verifyConsistency } from './proofs.js';
import { C2SP_TREE_HASH, type TreeHash } from './tree-hash.js';

export const INTEGRITY_CHECKS = [
  'log-shrank',
  'root-changed',
  'inconsistent',
  'nodes-missing',
  'checkpoint-signature',
  'tail',
  'witness-ahead',
  'witness-refused',
] as const;

export type IntegrityCheck = (typeof INTEGRITY_CHECKS)[number];

export interface IntegrityFinding {
  readonly check: IntegrityCheck;
  /** Which checkpoint the stored log contradicts: "signed", "stored", "witnessed" or a witness name. */
  readonly reference: string;
  readonly detail: string;
}

export interface BoundCheckpoint {
  readonly reference: string;
  readonly size: number;
  readonly root: Uint8Array;
}

export interface TreeHead {
  readonly size: number;
  readonly root: Uint8Array;
}

/** The consistency proof the check needs from `reference.size` to `head.size`, or undefined when none is. */
export function proofNeeded(reference: BoundCheckpoint, head: TreeHead): { from: number; to: number } | undefined {
  return reference.size > 0 && reference.size < head.size ? { from: reference.size, to: head.size } : undefined;
}

export function checkExtends(
  reference: BoundCheckpoint,
  head: TreeHead,
  proof: readonly Uint8Array[] = [],
  hasher: TreeHash = C2SP_TREE_HASH,
): IntegrityFinding | undefined {
  const at = `the ${reference.reference} checkpoint of size ${reference.size}`;
  if (head.size < reference.size) {
    return {
      check: 'log-shrank',
      reference: reference.reference,
      detail: `the log holds ${head.size} entries, fewer than ${at}`,
    };
  }
  if (reference.size === 0) return undefined;
  if (head.size === reference.size) {
    return hashesEqual(head.root, reference.root)
      ? undefined
      : { check: 'root-changed', reference: reference.reference, detail: `the stored tree's root differs from ${at}` };
  }
  return verifyConsistency(reference.size, head.size, reference.root, head.root, proof, hasher)
    ? undefined
    : {
        check: 'inconsistent',
        reference: reference.reference,
        detail: `the stored tree of ${head.size} entries does not extend ${at}`,
      };
}
