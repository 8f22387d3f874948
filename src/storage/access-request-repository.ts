/** Access requests and grants: the rows the request workflow reads and changes. */
import { sql } from 'kysely';
import type { GrantRow, HoldRow, RequestRow } from '../rules/access-request-records.js';
import type { Executor } from './transaction.js';

export type { GrantRow, HoldRow, RequestRow } from '../rules/access-request-records.js';

type Selected<T> = { [K in keyof T]: T[K] };

function toRequest(row: Selected<Record<string, unknown>>): RequestRow {
  return {
    id: row.id as string,
    kind: row.kind as RequestRow['kind'],
    requester: row.requester as string,
    requesterUnit: row.requester_unit as string,
    targetUnit: row.target_unit as string,
    status: row.status as RequestRow['status'],
    approvalsNeeded: row.approvals_needed as 1 | 2,
    approvers: row.approvers as string[],
    cameraIds: row.camera_ids as string[],
    window: { from: (row.window_from as Date).toISOString(), to: (row.window_to as Date).toISOString() },
    actions: row.actions as string[],
    caseNo: row.case_no as string | null,
    expiryHours: row.expiry_hours as number,
    legalHold: row.legal_hold as boolean,
    submittedSeq: row.submitted_seq as number,
    createdAt: (row.created_at as Date).toISOString(),
  };
}

function toGrant(row: Selected<Record<string, unknown>>): GrantRow {
  return {
    id: row.id as string,
    requestId: row.request_id as string,
    grantee: row.grantee as string,
    unitId: row.unit_id as string,
    cameraIds: row.camera_ids as string[],
    window: { from: (row.window_from as Date).toISOString(), to: (row.window_to as Date).toISOString() },
    actions: row.actions as string[],
    validUntil: (row.valid_until as Date).toISOString(),
    revokedAt: row.revoked_at === null ? null : (row.revoked_at as Date).toISOString(),
    uses: row.uses as number,
  };
}

export async function insertRequest(trx: Executor, row: Omit<RequestRow, 'createdAt' | 'approvers' | 'status'>): Promise<void> {
  await trx
    .insertInto('access_requests')
    .values({
      id: row.id,
      kind: row.kind,
      requester: row.requester,
      requester_unit: row.requesterUnit,
      target_unit: row.targetUnit,
      status: 'submitted',
      approvals_needed: row.approvalsNeeded,
      approvers: [],
      camera_ids: [...row.cameraIds],
      window_from: row.window.from,
      window_to: row.window.to,
      actions: [...row.actions],
      case_no: row.caseNo,
      expiry_hours: row.expiryHours,
      legal_hold: row.legalHold,
      submitted_seq: row.submittedSeq,
    })
    .execute();
}

export async function readRequest(
  db: Executor,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<RequestRow | undefined> {
  let query = db.selectFrom('access_requests').selectAll().where('id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : toRequest(row);
}

export async function updateRequestState(
  trx: Executor,
  id: string,
  state: { status: RequestRow['status']; approvers: readonly string[]; approvalsNeeded: 1 | 2 },
): Promise<void> {
  await trx
    .updateTable('access_requests')
    .set({
      status: state.status,
      approvers: [...state.approvers],
      approvals_needed: state.approvalsNeeded,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

export interface RequestFilter {
  /** Requests addressed to this unit, or submitted from it (one of the two is always set). */
  readonly targetUnit?: string;
  readonly requesterUnit?: string;
  /** Requests submitted by this subject (an emergency requester sees their own). */
  readonly requester?: string;
  readonly status?: string;
  readonly caseNo?: string;
  /** Requests created before this one (the page cursor: newest first). */
  readonly before?: { readonly createdAt: string; readonly id: string };
  readonly limit: number;
}

export async function listRequests(db: Executor, filter: RequestFilter): Promise<RequestRow[]> {
  let query = db.selectFrom('access_requests').selectAll();
  if (filter.targetUnit !== undefined) query = query.where('target_unit', '=', filter.targetUnit);
  if (filter.requesterUnit !== undefined) query = query.where('requester_unit', '=', filter.requesterUnit);
  if (filter.requester !== undefined) query = query.where('requester', '=', filter.requester);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.caseNo !== undefined) query = query.where('case_no', '=', filter.caseNo);
  const before = filter.before;
  if (before !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(before.createdAt)),
        eb.and([eb('created_at', '=', new Date(before.createdAt)), eb('id', '<', before.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toRequest);
}

export async function insertGrant(trx: Executor, grant: Omit<GrantRow, 'revokedAt' | 'uses'>): Promise<void> {
  await trx
    .insertInto('grants')
    .values({
      id: grant.id,
      request_id: grant.requestId,
      grantee: grant.grantee,
      unit_id: grant.unitId,
      camera_ids: [...grant.cameraIds],
      window_from: grant.window.from,
      window_to: grant.window.to,
      actions: [...grant.actions],
      valid_until: grant.validUntil,
    })
    .execute();
}

export async function readGrant(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<GrantRow | undefined> {
  let query = db.selectFrom('grants').selectAll().where('id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : toGrant(row);
}

export async function grantOfRequest(db: Executor, requestId: string): Promise<GrantRow | undefined> {
  const row = await db.selectFrom('grants').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  return row === undefined ? undefined : toGrant(row);
}

export async function revokeGrant(trx: Executor, id: string, at: Date): Promise<void> {
  await trx.updateTable('grants').set({ revoked_at: at }).where('id', '=', id).execute();
}

export async function countGrantUse(trx: Executor, id: string): Promise<void> {
  await trx
    .updateTable('grants')
    .set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

function toHold(row: Selected<Record<string, unknown>>): HoldRow {
  return {
    id: row.id as string,
    requestId: row.request_id as string,
    unitId: row.unit_id as string,
    cameraIds: row.camera_ids as string[],
    window: { from: (row.window_from as Date).toISOString(), to: (row.window_to as Date).toISOString() },
    placedAt: (row.placed_at as Date).toISOString(),
    releasedAt: row.released_at === null ? null : (row.released_at as Date).toISOString(),
  };
}

export async function insertHold(trx: Executor, hold: Omit<HoldRow, 'placedAt' | 'releasedAt'>): Promise<void> {
  await trx
    .insertInto('legal_holds')
    .values({
      id: hold.id,
      request_id: hold.requestId,
      unit_id: hold.unitId,
      camera_ids: [...hold.cameraIds],
      window_from: hold.window.from,
      window_to: hold.window.to,
    })
    .execute();
}

export async function readHold(db: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<HoldRow | undefined> {
  let query = db.selectFrom('legal_holds').selectAll().where('id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : toHold(row);
}

export async function holdOfRequest(db: Executor, requestId: string): Promise<HoldRow | undefined> {
  const row = await db.selectFrom('legal_holds').selectAll().where('request_id', '=', requestId).executeTakeFirst();
  return row === undefined ? undefined : toHold(row);
}

export async function releaseHold(trx: Executor, id: string, at: Date): Promise<void> {
  await trx.updateTable('legal_holds').set({ released_at: at }).where('id', '=', id).execute();
}

/** The ids the ledger references a case by: its requests, their grants and their legal holds. */
export async function caseReferences(db: Executor, caseToken: string): Promise<string[]> {
  const requests = await db.selectFrom('access_requests').select('id').where('case_no', '=', caseToken).execute();
  const ids = requests.map((row) => row.id);
  if (ids.length === 0) return [];
  const [grants, holds] = await Promise.all([
    db.selectFrom('grants').select('id').where('request_id', 'in', ids).execute(),
    db.selectFrom('legal_holds').select('id').where('request_id', 'in', ids).execute(),
  ]);
  return [...ids, ...grants.map((row) => row.id), ...holds.map((row) => row.id)];
}

/** Legal holds of `unitIds`, newest first: of one camera, active only, before a cursor when asked. */
export async function listHolds(
  db: Executor,
  filter: {
    readonly unitIds: readonly string[];
    readonly cameraId?: string;
    readonly active?: boolean;
    readonly before?: { readonly placedAt: string; readonly id: string };
    readonly limit: number;
  },
): Promise<HoldRow[]> {
  if (filter.unitIds.length === 0) return [];
  let query = db
    .selectFrom('legal_holds')
    .selectAll()
    .where('unit_id', 'in', [...filter.unitIds]);
  if (filter.cameraId !== undefined) query = query.where(sql<boolean>`${filter.cameraId} = ANY(camera_ids)`);
  if (filter.active === true) query = query.where('released_at', 'is', null);
  if (filter.active === false) query = query.where('released_at', 'is not', null);
  const before = filter.before;
  if (before !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('placed_at', '<', new Date(before.placedAt)),
        eb.and([eb('placed_at', '=', new Date(before.placedAt)), eb('id', '<', before.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('placed_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toHold);
}

/** Every legal hold, for the compliance report's deletion findings. */
export async function allHolds(db: Executor): Promise<HoldRow[]> {
  return (await db.selectFrom('legal_holds').selectAll().execute()).map(toHold);
}

/** The grants held by `grantee` that are in force at `at`: not revoked and not yet expired. */
export async function activeGrantsOf(db: Executor, grantee: string, at: Date): Promise<GrantRow[]> {
  const rows = await db
    .selectFrom('grants')
    .selectAll()
    .where('grantee', '=', grantee)
    .where('revoked_at', 'is', null)
    .where('valid_until', '>', at)
    .orderBy('valid_until')
    .execute();
  return rows.map(toGrant);
}
