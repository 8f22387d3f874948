/**
 * A batch's rows in the layout of `ledger_append_packed` (migrations/2026-11-29T1400): each table's
 * byte strings concatenated into one Buffer, which node-postgres sends as one binary parameter (an
 * array of Buffers would go as escaped hex text, element by element), and its other columns as one
 * JSON array of rows.
 */
import { HASH_SIZE } from '../ledger/hashes.js';
import type { EntryRow, NodeRow } from './ledger-repository.js';
import type { SealedRow } from './vault.js';

const NONCE_SIZE = 12;

/** The entries and tree nodes of a batch. */
export interface PackedEntries {
  /** The time every entry of the batch carries. */
  readonly time: string;
  readonly entryRows: string;
  readonly canonical: Buffer;
  readonly leaves: Buffer;
  readonly nodeRows: string;
  readonly hashes: Buffer;
}

/** The sealed values of a batch. */
export interface PackedSealed {
  readonly sealedRows: string;
  readonly nonces: Buffer;
  readonly ciphertexts: Buffer;
}

function fixedSize(buffers: readonly Buffer[], size: number, what: string): Buffer {
  for (const buffer of buffers) if (buffer.length !== size) throw new Error(`${what} must be ${size} bytes`);
  return Buffer.concat(buffers, size * buffers.length);
}

/**
 * Packs the entries of a batch, which take consecutive seqs from `firstSeq` at one time (as a
 * BatchBuilder makes them), and its tree nodes; throws on rows that break that shape.
 */
export function packEntries(firstSeq: number, entries: readonly EntryRow[], nodes: readonly NodeRow[]): PackedEntries {
  const time = entries[0]?.time ?? new Date(0).toISOString();
  const entryRows = entries.map((row, i) => {
    if (row.seq !== firstSeq + i) throw new Error(`entry ${i} of the batch has seq ${row.seq}, not ${firstSeq + i}`);
    if (row.time !== time) throw new Error('the entries of a batch share one time');
    return [row.kind, row.unit, row.subject, row.camera, row.ref, row.canonical.length];
  });
  return {
    time,
    entryRows: JSON.stringify(entryRows),
    canonical: Buffer.concat(entries.map((row) => row.canonical)),
    leaves: fixedSize(
      entries.map((row) => row.leafHash),
      HASH_SIZE,
      'a leaf hash',
    ),
    nodeRows: JSON.stringify(nodes.map((row) => [row.level, row.idx])),
    hashes: fixedSize(
      nodes.map((row) => row.hash),
      HASH_SIZE,
      'a node hash',
    ),
  };
}

export function packSealed(sealed: readonly SealedRow[]): PackedSealed {
  return {
    sealedRows: JSON.stringify(sealed.map((row) => [row.seq, row.pointer, row.subject_id, row.ciphertext.length])),
    nonces: fixedSize(
      sealed.map((row) => row.nonce),
      NONCE_SIZE,
      'a nonce',
    ),
    ciphertexts: Buffer.concat(sealed.map((row) => row.ciphertext)),
  };
}
