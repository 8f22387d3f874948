/** The transfer register's rows, each with the ledger entry that records it. */
import type { Executor } from './transaction.js';

export interface TransferFilter {
  readonly limit: number;
  readonly unitId?: string;
  readonly cameraId?: string;
  readonly since?: Date;
  readonly until?: Date;
  /** Transfers recorded after this ledger seq (the page cursor). */
  readonly afterSeq?: number;
}

export interface TransferRow {
  readonly id: string;
  readonly decisionId: string;
  readonly unitId: string;
  readonly cameraId: string;
  readonly recipientUnit: string;
  readonly registeredAt: Date;
  readonly seq: number;
  readonly canonical: Buffer;
  readonly leafHash: Buffer;
}

export async function listTransfers(db: Executor, filter: TransferFilter): Promise<TransferRow[]> {
  let query = db
    .selectFrom('transfers as t')
    .innerJoin('ledger_entries as e', 'e.seq', 't.seq')
    .select([
      't.id',
      't.decision_id',
      't.unit_id',
      't.camera_id',
      't.recipient_unit',
      't.created_at',
      'e.seq',
      'e.canonical',
      'e.leaf_hash',
    ]);
  if (filter.unitId !== undefined) query = query.where('t.unit_id', '=', filter.unitId);
  if (filter.cameraId !== undefined) query = query.where('t.camera_id', '=', filter.cameraId);
  if (filter.since !== undefined) query = query.where('t.created_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('t.created_at', '<', filter.until);
  if (filter.afterSeq !== undefined) query = query.where('e.seq', '>', filter.afterSeq);
  const rows = await query.orderBy('e.seq').limit(filter.limit).execute();
  return rows.map((row) => ({
    id: row.id,
    decisionId: row.decision_id,
    unitId: row.unit_id,
    cameraId: row.camera_id,
    recipientUnit: row.recipient_unit,
    registeredAt: row.created_at,
    seq: row.seq,
    canonical: row.canonical,
    leafHash: row.leaf_hash,
  }));
}

/** The transfer already registered for a decision, if any. */
export async function transferOfDecision(db: Executor, decisionId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('transfers').select('id').where('decision_id', '=', decisionId).executeTakeFirst();
}

/** Inserts a transfer; false when its decision already has one (one transfer per decision). */
export async function insertTransfer(
  trx: Executor,
  row: {
    readonly id: string;
    readonly decisionId: string;
    readonly seq: number;
    readonly unitId: string;
    readonly subject: string;
    readonly cameraId: string;
    readonly recipientUnit: string;
  },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('transfers')
    .values({
      id: row.id,
      decision_id: row.decisionId,
      seq: row.seq,
      unit_id: row.unitId,
      subject: row.subject,
      camera_id: row.cameraId,
      recipient_unit: row.recipientUnit,
    })
    .onConflict((conflict) => conflict.column('decision_id').doNothing())
    .executeTakeFirst();
  return inserted.numInsertedOrUpdatedRows !== 0n;
}
