/** What the compliance report reads: a period's decisions, transfers of exports, grants, verifications. */
import { sql } from 'kysely';
import type { GrantFacts, MismatchedReceipt, RecordedDecision, VerificationFacts } from '../rules/compliance-report.js';
import type { RecordedReconciliation } from '../rules/reconciliation-findings.js';
import type { ReportedDeletion } from '../rules/retention-findings.js';
import type { Executor } from './transaction.js';

const PAGE = 1000;

interface DecisionPayload {
  decision_id: string;
  camera_id: string;
  unit_id: string;
  person: { subject: string };
  action: string;
  decision: 'allow' | 'deny';
  reasons: string[];
  grant_id: string | null;
  valid_until: string | null;
}

function payloadOf(canonical: Uint8Array): Record<string, unknown> {
  return (JSON.parse(Buffer.from(canonical).toString('utf8')) as { payload: Record<string, unknown> }).payload;
}

/** Calls `visit` for every `decision.made` entry with from <= time < to, in time order, a page at a time. */
export async function forEachDecision(
  db: Executor,
  period: { readonly from: Date; readonly to: Date },
  visit: (decision: RecordedDecision) => void,
  /** Only entries of the tree of this size (the checkpoint the report is computed over). */
  treeSize: number = Number.MAX_SAFE_INTEGER,
): Promise<void> {
  let after: { time: Date; seq: number } | undefined;
  for (;;) {
    let query = db
      .selectFrom('ledger_entries')
      .select(['seq', 'time', 'canonical'])
      .where('kind', '=', 'decision.made')
      .where('seq', '<', treeSize)
      .where('time', '>=', period.from)
      .where('time', '<', period.to);
    if (after !== undefined) {
      const { time, seq } = after;
      query = query.where(sql<boolean>`(time, seq) > (${time}, ${seq})`);
    }
    const rows = await query.orderBy('time').orderBy('seq').limit(PAGE).execute();
    for (const row of rows) {
      const payload = payloadOf(row.canonical) as unknown as DecisionPayload;
      visit({
        seq: Number(row.seq),
        time: row.time,
        decisionId: payload.decision_id,
        cameraId: payload.camera_id,
        unitId: payload.unit_id,
        person: payload.person.subject,
        action: payload.action,
        decision: payload.decision,
        reasons: payload.reasons,
        grantId: payload.grant_id,
        validUntil: payload.valid_until,
      });
    }
    if (rows.length < PAGE) return;
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = { time: last.time, seq: Number(last.seq) };
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

/** The ids among `decisionIds` that a transfer was registered for. */
export async function transferredDecisions(db: Executor, decisionIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const chunk of chunks(decisionIds, PAGE)) {
    const rows = await db.selectFrom('transfers').select('decision_id').where('decision_id', 'in', chunk).execute();
    for (const row of rows) found.add(row.decision_id);
  }
  return found;
}

export async function grantFacts(db: Executor, grantIds: readonly string[]): Promise<Map<string, GrantFacts>> {
  const found = new Map<string, GrantFacts>();
  for (const chunk of chunks(grantIds, PAGE)) {
    const rows = await db.selectFrom('grants').select(['id', 'valid_until', 'revoked_at']).where('id', 'in', chunk).execute();
    for (const row of rows) {
      found.set(row.id, {
        validUntil: new Date(row.valid_until).toISOString(),
        revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
      });
    }
  }
  return found;
}

/** The newest `ledger.verified` entry: who ran which verification and what it found. */
export async function lastVerification(db: Executor): Promise<VerificationFacts | null> {
  const row = await db
    .selectFrom('ledger_entries')
    .select(['seq', 'time', 'canonical'])
    .where('kind', '=', 'ledger.verified')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : { seq: Number(row.seq), time: row.time.toISOString(), result: payloadOf(row.canonical) };
}

/** Receipts acknowledged in `period`, within the first `treeSize` entries, with another file than registered. */
export async function mismatchedReceipts(
  db: Executor,
  period: { readonly from: Date; readonly to: Date },
  treeSize: number,
): Promise<MismatchedReceipt[]> {
  const rows = await db
    .selectFrom('transfer_acknowledgements as a')
    .innerJoin('transfers as t', 't.id', 'a.transfer_id')
    .select([
      'a.transfer_id',
      't.decision_id',
      'a.seq',
      'a.created_at',
      't.unit_id',
      't.camera_id',
      'a.unit_id as recipient',
      't.file_sha256',
      'a.file_sha256 as received',
    ])
    .where('a.matches', '=', false)
    .where('a.seq', '<', treeSize)
    .where('a.created_at', '>=', period.from)
    .where('a.created_at', '<', period.to)
    .orderBy('a.seq')
    .execute();
  return rows.map((row) => ({
    transferId: row.transfer_id,
    decisionId: row.decision_id,
    seq: row.seq,
    time: row.created_at,
    unitId: row.unit_id,
    cameraId: row.camera_id,
    recipientUnitId: row.recipient,
    registeredSha256: row.file_sha256 ?? '',
    receivedSha256: row.received,
  }));
}

function deletionOf(row: { seq: number; time: Date; canonical: Uint8Array }): ReportedDeletion {
  const payload = payloadOf(row.canonical) as { camera_id: string; window: { from: string; to: string } };
  return { seq: Number(row.seq), time: row.time, cameraId: payload.camera_id, window: payload.window };
}

/** The entries of `kind` with from <= time < to within the first `treeSize` entries, in seq order. */
async function entriesOfPeriod(
  db: Executor,
  kind: string,
  period: { readonly from: Date; readonly to: Date },
  treeSize: number,
): Promise<{ seq: number; time: Date; canonical: Uint8Array }[]> {
  return db
    .selectFrom('ledger_entries')
    .select(['seq', 'time', 'canonical'])
    .where('kind', '=', kind)
    .where('seq', '<', treeSize)
    .where('time', '>=', period.from)
    .where('time', '<', period.to)
    .orderBy('seq')
    .execute();
}

/** The `footage.deleted` entries of `period` within the first `treeSize` entries. */
export async function footageDeletions(
  db: Executor,
  period: { readonly from: Date; readonly to: Date },
  treeSize: number,
): Promise<ReportedDeletion[]> {
  return (await entriesOfPeriod(db, 'footage.deleted', period, treeSize)).map(deletionOf);
}

/** The latest `footage.deleted` entry of each camera within the first `treeSize` entries. */
export async function lastDeletions(db: Executor, treeSize: number): Promise<Map<string, ReportedDeletion>> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['seq', 'time', 'canonical'])
    .distinctOn('camera')
    .where('kind', '=', 'footage.deleted')
    .where('seq', '<', treeSize)
    .orderBy('camera')
    .orderBy('seq', 'desc')
    .execute();
  return new Map(rows.map(deletionOf).map((deletion) => [deletion.cameraId, deletion]));
}

/** The period's `reconciliation.completed` entries, in the checkpoint's tree, in seq order. */
export async function completedReconciliations(
  db: Executor,
  period: { readonly from: Date; readonly to: Date },
  treeSize: number,
): Promise<RecordedReconciliation[]> {
  return (await entriesOfPeriod(db, 'reconciliation.completed', period, treeSize)).map((row) => ({
    seq: Number(row.seq),
    time: row.time,
    payload: payloadOf(row.canonical) as RecordedReconciliation['payload'],
  }));
}
