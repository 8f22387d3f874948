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
