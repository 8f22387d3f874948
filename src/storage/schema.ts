/**
 * Table types for Kysely. Ledger columns are typed `never` for update: no code path of the service
 * can express an UPDATE of the ledger (the database refuses one too).
 */
import type { ColumnType } from 'kysely';

/** Written once, read as T, never updated. int8 is read as a number (storage/database.ts). */
type Frozen<Select, Insert = Select> = ColumnType<Select, Insert, never>;

export interface LedgerEntriesTable {
  seq: Frozen<number>;
  time: Frozen<Date, Date | string>;
  kind: Frozen<string>;
  unit: Frozen<string | null, string | null>;
  subject: Frozen<string | null, string | null>;
  camera: Frozen<string | null, string | null>;
  canonical: Frozen<Buffer, Uint8Array>;
  leaf_hash: Frozen<Buffer, Uint8Array>;
}

export interface LedgerNodesTable {
  level: Frozen<number>;
  idx: Frozen<number>;
  hash: Frozen<Buffer, Uint8Array>;
}

export interface LedgerCheckpointsTable {
  tree_size: Frozen<number>;
  root: Frozen<Buffer, Uint8Array>;
  key_id: Frozen<string>;
  note: Frozen<string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface DataSubjectsTable {
  id: string;
  wrapped_key: Buffer | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  erased_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  erased_seq: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SealedValuesTable {
  seq: number;
  pointer: string;
  subject_id: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

export interface Database {
  ledger_entries: LedgerEntriesTable;
  ledger_nodes: LedgerNodesTable;
  ledger_checkpoints: LedgerCheckpointsTable;
  data_subjects: DataSubjectsTable;
  sealed_values: SealedValuesTable;
}
