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
  /** Transfers handed to this unit. */
  readonly recipientUnitId?: string;
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
  readonly recipientUnitId: string | null;
  /** The receiving side's acknowledgement, once given. */
  readonly acknowledgement: { readonly seq: number; readonly matches: boolean; readonly at: Date } | null;
}

export async function listTransfers(db: Executor, filter: TransferFilter): Promise<TransferRow[]> {
  let query = db
    .selectFrom('transfers as t')
    .innerJoin('ledger_entries as e', 'e.seq', 't.seq')
    .leftJoin('transfer_acknowledgements as a', 'a.transfer_id', 't.id')
    .select([
      't.recipient_unit_id',
      'a.seq as acknowledged_seq',
      'a.matches',
      'a.created_at as acknowledged_at',
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
  if (filter.recipientUnitId !== undefined) query = query.where('t.recipient_unit_id', '=', filter.recipientUnitId);
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
    recipientUnitId: row.recipient_unit_id,
    acknowledgement:
      row.acknowledged_seq === null
        ? null
        : { seq: row.acknowledged_seq, matches: row.matches === true, at: row.acknowledged_at as Date },
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
    readonly personSubject: string;
    readonly grantId: string | null;
    readonly window: { readonly from: string; readonly to: string };
    readonly validUntil: string;
    readonly fileSha256: string;
    readonly recipientUnitId: string | null;
    readonly recipientSubject: string | null;
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
      person_subject: row.personSubject,
      grant_id: row.grantId,
      window_from: row.window.from,
      window_to: row.window.to,
      valid_until: row.validUntil,
      file_sha256: row.fileSha256,
      recipient_unit_id: row.recipientUnitId,
      recipient_subject: row.recipientSubject,
    })
    .onConflict((conflict) => conflict.column('decision_id').doNothing())
    .executeTakeFirst();
  return inserted.numInsertedOrUpdatedRows !== 0n;
}

/** A registered transfer as its receiving side and the gate read it. */
export interface HandOver {
  readonly id: string;
  readonly decisionId: string;
  readonly seq: number;
  readonly unitId: string;
  readonly cameraId: string;
  readonly fileSha256: string | null;
  readonly recipientUnitId: string | null;
  readonly recipientSubject: string | null;
  readonly validUntil: Date | null;
}

const HAND_OVER_COLUMNS = [
  'id',
  'decision_id',
  'seq',
  'unit_id',
  'camera_id',
  'file_sha256',
  'recipient_unit_id',
  'recipient_subject',
  'valid_until',
] as const;

function toHandOver(row: {
  id: string;
  decision_id: string;
  seq: number;
  unit_id: string;
  camera_id: string;
  file_sha256: string | null;
  recipient_unit_id: string | null;
  recipient_subject: string | null;
  valid_until: Date | null;
}): HandOver {
  return {
    id: row.id,
    decisionId: row.decision_id,
    seq: row.seq,
    unitId: row.unit_id,
    cameraId: row.camera_id,
    fileSha256: row.file_sha256,
    recipientUnitId: row.recipient_unit_id,
    recipientSubject: row.recipient_subject,
    validUntil: row.valid_until,
  };
}

export async function readHandOver(db: Executor, transferId: string): Promise<HandOver | undefined> {
  const row = await db.selectFrom('transfers').select(HAND_OVER_COLUMNS).where('id', '=', transferId).executeTakeFirst();
  return row === undefined ? undefined : toHandOver(row);
}

/**
 * The registered transfer that releases an export to `person`: of `camera`, its decision's window
 * holding `window`, and not yet expired at `at`. The latest registered wins. An export under a grant
 * since revoked is not released.
 */
export async function releasingTransfer(
  db: Executor,
  target: { readonly person: string; readonly camera: string; readonly window: { from: string; to: string }; readonly at: Date },
): Promise<HandOver | undefined> {
  const row = await db
    .selectFrom('transfers')
    .select(HAND_OVER_COLUMNS)
    .where('person_subject', '=', target.person)
    .where('camera_id', '=', target.camera)
    .where('valid_until', '>', target.at)
    .where('window_from', '<=', new Date(target.window.from))
    .where('window_to', '>=', new Date(target.window.to))
    .where(({ eb, exists, not, selectFrom }) =>
      eb.or([
        eb('grant_id', 'is', null),
        not(
          exists(
            selectFrom('grants')
              .select('grants.id')
              .whereRef('grants.id', '=', 'transfers.grant_id')
              .where('grants.revoked_at', 'is not', null),
          ),
        ),
      ]),
    )
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toHandOver(row);
}

/** Records a receipt; false when the transfer was already acknowledged. */
export async function insertAcknowledgement(
  trx: Executor,
  row: {
    readonly transferId: string;
    readonly seq: number;
    readonly unitId: string;
    readonly subject: string;
    readonly fileSha256: string;
    readonly matches: boolean;
  },
): Promise<boolean> {
  const inserted = await trx
    .insertInto('transfer_acknowledgements')
    .values({
      transfer_id: row.transferId,
      seq: row.seq,
      unit_id: row.unitId,
      subject: row.subject,
      file_sha256: row.fileSha256,
      matches: row.matches,
    })
    .onConflict((conflict) => conflict.column('transfer_id').doNothing())
    .executeTakeFirst();
  return inserted.numInsertedOrUpdatedRows !== 0n;
}
