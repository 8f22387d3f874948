/**
 * Writing a prepared batch with its checkpoint. `writeLocked` runs inside the batch transaction
 * that already holds the ledger lock; `writePredicted` sends a batch encoded against a predicted
 * head as one call of `ledger_append_batch` (migrations/2026-11-29T1000), which writes it only if
 * the stored head is the predicted one.
 */
import { type Kysely, sql } from 'kysely';
import { type Prepared, sealedItems } from './ledger-batch.js';
import { insertCheckpoint, insertEntries, insertNodes, LEDGER_LOCK_KEY } from './ledger-repository.js';
import type { Database } from './schema.js';
import type { Executor } from './transaction.js';
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

/** True when written; false (nothing written) when the stored head is not `prepared.base`. */
export async function writePredicted(
  db: Kysely<Database>,
  prepared: Prepared,
  checkpoint: { note: string; keyId: string },
  vault: BatchVault | undefined,
): Promise<boolean> {
  const items = sealedItems(prepared);
  const rows =
    items.length === 0 ? [] : requireVault(vault).sealRows(await requireVault(vault).dataKeys(db, subjectsOf(items)), items);
  const { entries, nodes, base } = prepared;
  const result = await sql<{ written: boolean }>`
    SELECT ledger_append_batch(
      ${LEDGER_LOCK_KEY}, ${base.size}, ${base.lastLeaf ?? null}::bytea, ${base.keyId ?? null}::text,
      ${entries.map((row) => row.seq)}::bigint[], ${entries.map((row) => row.time)}::timestamptz[],
      ${entries.map((row) => row.kind)}::text[], ${entries.map((row) => row.unit)}::text[],
      ${entries.map((row) => row.subject)}::text[], ${entries.map((row) => row.camera)}::text[],
      ${entries.map((row) => row.ref)}::text[], ${entries.map((row) => row.canonical)}::bytea[],
      ${entries.map((row) => row.leafHash)}::bytea[],
      ${rows.map((row) => row.seq)}::bigint[], ${rows.map((row) => row.pointer)}::text[],
      ${rows.map((row) => row.subject_id)}::text[], ${rows.map((row) => row.nonce)}::bytea[],
      ${rows.map((row) => row.ciphertext)}::bytea[],
      ${nodes.map((row) => row.level)}::smallint[], ${nodes.map((row) => row.idx)}::bigint[],
      ${nodes.map((row) => row.hash)}::bytea[],
      ${prepared.end.size}, ${prepared.root}, ${checkpoint.keyId}, ${checkpoint.note}
    ) AS written`.execute(db);
  return result.rows[0]?.written === true;
}
