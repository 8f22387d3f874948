/**
 * Writing a prepared batch with its checkpoint. `writeLocked` runs inside the batch transaction
 * that already holds the ledger lock; `writePredicted` sends a batch encoded against a predicted
 * head as one call of `ledger_append_packed` (migrations/2026-11-29T1400), which writes it only if
 * the stored head is the predicted one.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../storage/schema.js';
import type { Executor } from '../storage/transaction.js';
import { type PackedEntries, type PackedSealed, packEntries, packSealed } from './batch-packing.js';
import { type Prepared, sealedItems } from './ledger-batch.js';
import { insertCheckpoint, insertEntries, insertNodes, LEDGER_LOCK_KEY } from './ledger-repository.js';
import { subjectsOf, type Vault } from './vault.js';

export type BatchVault = Pick<Vault, 'storeBatch' | 'dataKeys' | 'sealRows'>;

function requireVault(vault: BatchVault | undefined): BatchVault {
  if (vault === undefined) throw new Error('entries with sealed fields need a vault');
  return vault;
}

export async function writeLocked(
  trx: Executor,
  prepared: Prepared,
  checkpoint: { note: string; keyId: string },
  vault: BatchVault | undefined,
): Promise<void> {
  await insertEntries(trx, prepared.entries);
  const sealed = sealedItems(prepared);
  if (sealed.length > 0) await requireVault(vault).storeBatch(trx, sealed);
  await insertNodes(trx, prepared.nodes);
  await insertCheckpoint(trx, {
    treeSize: prepared.end.size,
    root: prepared.root,
    keyId: checkpoint.keyId,
    note: checkpoint.note,
  });
}

/** A predicted batch ready to send: its rows packed, its openings encrypted and its checkpoint signed. */
export interface PackedWrite {
  readonly expected: { readonly size: number; readonly lastLeaf: Buffer | null; readonly keyId: string | null };
  readonly entries: PackedEntries;
  readonly sealed: PackedSealed;
  readonly end: { readonly size: number; readonly root: Buffer };
  readonly checkpoint: { readonly note: string; readonly keyId: string };
}

/** Encrypts the openings of a predicted batch and packs its rows beside its signed checkpoint. */
export async function preparePredicted(
  db: Executor,
  prepared: Prepared,
  checkpoint: { note: string; keyId: string },
  vault: BatchVault | undefined,
): Promise<PackedWrite> {
  const items = sealedItems(prepared);
  const rows =
    items.length === 0 ? [] : requireVault(vault).sealRows(await requireVault(vault).dataKeys(db, subjectsOf(items)), items);
  return {
    expected: { size: prepared.base.size, lastLeaf: prepared.base.lastLeaf ?? null, keyId: prepared.base.keyId ?? null },
    entries: packEntries(prepared.base.size, prepared.entries, prepared.nodes),
    sealed: packSealed(rows),
    end: { size: prepared.end.size, root: prepared.root },
    checkpoint,
  };
}

/** One round trip: true when written; false (nothing written) when the stored head is not the expected one. */
export async function writePredicted(db: Kysely<Database>, write: PackedWrite): Promise<boolean> {
  const { expected, entries, sealed, end, checkpoint } = write;
  const result = await sql<{ written: boolean }>`
    SELECT ledger_append_packed(
      ${LEDGER_LOCK_KEY}, ${expected.size}, ${expected.lastLeaf}::bytea, ${expected.keyId}::text, ${entries.time}::timestamptz,
      ${entries.entryRows}::jsonb, ${entries.canonical}::bytea, ${entries.leaves}::bytea,
      ${sealed.sealedRows}::jsonb, ${sealed.nonces}::bytea, ${sealed.ciphertexts}::bytea,
      ${entries.nodeRows}::jsonb, ${entries.hashes}::bytea,
      ${end.size}, ${end.root}::bytea, ${checkpoint.keyId}, ${checkpoint.note}
    ) AS written`.execute(db);
  return result.rows[0]?.written === true;
}
