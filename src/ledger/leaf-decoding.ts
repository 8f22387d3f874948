/**
 * Entries decoded in bulk for verification: each entry's bytes are checked (canonical JSON, entry
 * shape) and reduced to what the verifier's in-order checks need — the seq it claims, the `prev` it
 * names, its leaf hash, and for a key.rotated entry the key — packed in flat arrays that a worker
 * thread can hand back without copying. The in-order checks stay in LogVerifier.
 */
import { scanLeafFields } from './canonical-scan.js';
import { decodeEntry, type Entry, EntryError } from './entry.js';
import { type SuiteName, treeHashOf } from './tree-hash.js';

/**
 * Entries' bytes laid end to end; entry i is bytes[offsets[i], offsets[i + 1]). `storedLeaves`
 * holds 32 bytes per entry, the leaf hash stored beside it, when the source stores them.
 */
export interface PackedEntries {
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
  readonly storedLeaves?: Uint8Array;
  /** The log's suite, whose hash the leaf hashes are (c2sp when absent). */
  readonly suite?: SuiteName;
}

export interface DecodedLeaves {
  readonly count: number;
  /** The seq each entry claims; NaN where it did not decode. */
  readonly seqs: Float64Array;
  /** 64 bytes per entry: its leaf hash, then the `prev` it names. */
  readonly hashes: Uint8Array;
  /**
   * 1 where entry i (i > 0) names entry i − 1's leaf hash as `prev` and its stored leaf hash (if
   * any) is its own: the in-order checks then need not compare them again.
   */
  readonly linked: Uint8Array;
  /** Entries that did not decode, by index, with the reason. */
  readonly errors: readonly { readonly index: number; readonly message: string }[];
  /** key.rotated entries, by index, with the key text they carry. */
  readonly rotations: readonly { readonly index: number; readonly key: string }[];
}

export function packEntries(
  entries: readonly Uint8Array[],
  storedLeaves?: readonly Uint8Array[],
  suite: SuiteName = 'c2sp',
): PackedEntries {
  const offsets = new Uint32Array(entries.length + 1);
  let total = 0;
  entries.forEach((entry, i) => {
    offsets[i] = total;
    total += entry.byteLength;
  });
  offsets[entries.length] = total;
  const bytes = new Uint8Array(total);
  entries.forEach((entry, i) => {
    bytes.set(entry, offsets[i]);
  });
  if (storedLeaves === undefined) return { bytes, offsets, suite };
  const leaves = new Uint8Array(entries.length * 32);
  storedLeaves.forEach((leaf, i) => {
    leaves.set(leaf, i * 32);
  });
  return { bytes, offsets, storedLeaves: leaves, suite };
}

export function decodeLeaves(packed: PackedEntries): DecodedLeaves {
  const count = packed.offsets.length - 1;
  const seqs = new Float64Array(count);
  const hashes = new Uint8Array(count * 64);
  const linked = new Uint8Array(count);
  const stored = packed.storedLeaves;
  const hasher = treeHashOf(packed.suite ?? 'c2sp');
  const errors: { index: number; message: string }[] = [];
  const rotations: { index: number; key: string }[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = packed.bytes.subarray(packed.offsets[i], packed.offsets[i + 1]);
    hashes.set(hasher.leaf(bytes), i * 64);
    try {
      const fields = scanLeafFields(bytes);
      const entry = fields ?? decodeEntry(bytes);
      seqs[i] = entry.seq;
      hashes.set(Buffer.from(entry.prev, 'hex'), i * 64 + 32);
      if (fields === undefined && entry.kind === 'key.rotated') {
        rotations.push({ index: i, key: String((entry as Entry).payload.key) });
      }
      const chained = i > 0 && !Number.isNaN(seqs[i - 1] as number) && sameBytes(hashes, i * 64 + 32, hashes, (i - 1) * 64);
      const storedMatches = stored === undefined || sameBytes(stored, i * 32, hashes, i * 64);
      if (chained && storedMatches) linked[i] = 1;
    } catch (error) {
      seqs[i] = Number.NaN;
      errors.push({ index: i, message: error instanceof EntryError ? error.message : 'unreadable' });
    }
  }
  return { count, seqs, hashes, linked, errors, rotations };
}

function sameBytes(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): boolean {
  for (let k = 0; k < 32; k++) if (a[aOffset + k] !== b[bOffset + k]) return false;
  return true;
}
