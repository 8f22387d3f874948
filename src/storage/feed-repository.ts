/**
 * The change feed's rows: subscriptions, the fan-out position, and deliveries with their attempts.
 * Deliveries are claimed with a lease (`next_attempt_at` moved ahead) under SKIP LOCKED, so several
 * replicas deliver without sending one event twice at once, and a replica that dies mid-delivery
 * leaves the delivery to be retried when its lease runs out.
 */
import { sql } from 'kysely';
import { decodeEntry } from '../ledger/entry.js';
import type { FeedEntry } from '../rules/feed-events.js';
import type { Executor } from './transaction.js';

export const FEED_LOCK_KEY = 0x6677_6665; // "fwfe"

export interface SubscriptionRow {
  readonly id: string;
  readonly unitId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly createdBy: string;
  readonly afterSeq: number;
  readonly active: boolean;
  readonly createdAt: Date;
}

function toSubscription(row: {
  id: string;
  unit_id: string;
  url: string;
  event_types: string[];
  created_by: string;
  after_seq: number;
  active: boolean;
  created_at: Date;
}): SubscriptionRow {
  return {
    id: row.id,
    unitId: row.unit_id,
    url: row.url,
    eventTypes: row.event_types,
    createdBy: row.created_by,
    afterSeq: Number(row.after_seq),
    active: row.active,
    createdAt: row.created_at,
  };
}

const SUBSCRIPTION_COLUMNS = ['id', 'unit_id', 'url', 'event_types', 'created_by', 'after_seq', 'active', 'created_at'] as const;

export async function insertSubscription(
  db: Executor,
  row: { id: string; unitId: string; url: string; secret: string; eventTypes: readonly string[]; createdBy: string },
): Promise<SubscriptionRow> {
  const inserted = await db
    .insertInto('webhook_subscriptions')
    .values({
      id: row.id,
      unit_id: row.unitId,
      url: row.url,
      secret: row.secret,
      event_types: [...row.eventTypes],
      created_by: row.createdBy,
      // A new subscription receives what is recorded from now on.
      after_seq: sql<number>`coalesce((SELECT max(seq) FROM ledger_entries), -1)`,
    })
    .returning(SUBSCRIPTION_COLUMNS)
    .executeTakeFirstOrThrow();
  return toSubscription(inserted);
}

export async function listSubscriptions(db: Executor, unitId: string): Promise<SubscriptionRow[]> {
  const rows = await db
    .selectFrom('webhook_subscriptions')
    .select(SUBSCRIPTION_COLUMNS)
    .where('unit_id', '=', unitId)
    .orderBy('created_at')
    .execute();
  return rows.map(toSubscription);
}

export async function readSubscription(db: Executor, id: string): Promise<SubscriptionRow | undefined> {
  const row = await db.selectFrom('webhook_subscriptions').select(SUBSCRIPTION_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toSubscription(row);
}

export async function deactivateSubscription(db: Executor, id: string): Promise<void> {
  await db.updateTable('webhook_subscriptions').set({ active: false }).where('id', '=', id).execute();
}

export async function activeSubscriptions(db: Executor): Promise<SubscriptionRow[]> {
  const rows = await db.selectFrom('webhook_subscriptions').select(SUBSCRIPTION_COLUMNS).where('active', '=', true).execute();
  return rows.map(toSubscription);
}

/** The fan-out position, locked for this transaction; undefined if another replica is fanning out. */
export async function lockFeedPosition(trx: Executor): Promise<number | undefined> {
  const locked = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${FEED_LOCK_KEY}) AS locked`.execute(trx);
  if (locked.rows[0]?.locked !== true) return undefined;
  const row = await trx.selectFrom('feed_position').select('seq').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.seq);
}

export async function setFeedPosition(trx: Executor, seq: number): Promise<void> {
  await trx.updateTable('feed_position').set({ seq }).where('id', '=', 1).execute();
}

export async function latestSeq(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('ledger_entries')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return row?.seq === null || row?.seq === undefined ? -1 : Number(row.seq);
}

/**
 * Entries of `kinds` among the `span` entries after `seq` (but not past `latest`), in order; and
 * the last seq looked at.
 */
export async function feedEntriesAfter(
  db: Executor,
  seq: number,
  kinds: readonly string[],
  span: number,
  latest: number,
): Promise<{ entries: FeedEntry[]; through: number }> {
  const through = Math.min(seq + span, latest);
  if (through <= seq) return { entries: [], through: seq };
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['seq', 'time', 'kind', 'canonical'])
    .where('seq', '>', seq)
    .where('seq', '<=', through)
    .where('kind', 'in', [...kinds])
    .orderBy('seq')
    .execute();
  const entries = rows.map((row) => ({
    seq: Number(row.seq),
    time: row.time.toISOString(),
    kind: row.kind,
    payload: decodeEntry(row.canonical).payload as Record<string, unknown>,
  }));
  return { entries, through };
}

export async function requestUnits(
  db: Executor,
  ids: readonly string[],
): Promise<Map<string, { targetUnit: string; requesterUnit: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('access_requests')
    .select(['id', 'target_unit', 'requester_unit'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, { targetUnit: row.target_unit, requesterUnit: row.requester_unit }]));
}

export async function transferUnits(
  db: Executor,
  ids: readonly string[],
): Promise<Map<string, { unitId: string; recipientUnitId: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('transfers')
    .select(['id', 'unit_id', 'recipient_unit_id'])
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((row) => [row.id, { unitId: row.unit_id, recipientUnitId: row.recipient_unit_id }]));
}

/** Active grants ending before `until`, with the units of their requests. */
export async function grantsEndingBefore(
  db: Executor,
  now: Date,
  until: Date,
): Promise<{ id: string; requestId: string; validUntil: string; units: string[] }[]> {
  const rows = await db
    .selectFrom('grants as g')
    .innerJoin('access_requests as r', 'r.id', 'g.request_id')
    .select(['g.id', 'g.request_id', 'g.valid_until', 'r.target_unit', 'r.requester_unit'])
    .where('g.revoked_at', 'is', null)
    .where('g.valid_until', '>', now)
    .where('g.valid_until', '<=', until)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    requestId: row.request_id,
    validUntil: new Date(row.valid_until).toISOString(),
    units: [...new Set([row.target_unit, row.requester_unit])],
  }));
}

export interface DeliveryRow {
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
}

/** New deliveries; one already queued for the same subscription and event is kept as it is. */
export async function queueDeliveries(db: Executor, rows: readonly DeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('webhook_deliveries')
    .values(
      rows.map((row) => ({
        subscription_id: row.subscriptionId,
        event_id: row.eventId,
        event_type: row.eventType,
        body: row.body,
      })),
    )
    .onConflict((conflict) => conflict.columns(['subscription_id', 'event_id']).doNothing())
    .execute();
}

export interface ClaimedDelivery extends DeliveryRow {
  readonly attempts: number;
  readonly url: string;
  readonly secret: string;
}

/** Due deliveries of active subscriptions, leased for `leaseMs` to this caller. */
export async function claimDeliveries(db: Executor, now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const leaseEnd = new Date(now.getTime() + leaseMs);
  const result = await sql<{
    subscription_id: string;
    event_id: string;
    event_type: string;
    body: string;
    attempts: number;
    url: string;
    secret: string;
  }>`
    WITH due AS (
      SELECT d.subscription_id, d.event_id FROM webhook_deliveries d
        JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.active
       WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_attempt_at <= ${now}
       ORDER BY d.next_attempt_at
       LIMIT ${limit}
       FOR UPDATE OF d SKIP LOCKED)
    UPDATE webhook_deliveries d SET next_attempt_at = ${leaseEnd}
      FROM due, webhook_subscriptions s
     WHERE d.subscription_id = due.subscription_id AND d.event_id = due.event_id AND s.id = d.subscription_id
    RETURNING d.subscription_id, d.event_id, d.event_type, d.body, d.attempts, s.url, s.secret`.execute(db);
  return result.rows.map((row) => ({
    subscriptionId: row.subscription_id,
    eventId: row.event_id,
    eventType: row.event_type,
    body: row.body,
    attempts: row.attempts,
    url: row.url,
    secret: row.secret,
  }));
}

export async function recordAttempt(
  db: Executor,
  delivery: { readonly subscriptionId: string; readonly eventId: string },
  outcome:
    | { readonly delivered: true; readonly status: number; readonly at: Date }
    | {
        readonly delivered: false;
        readonly status: number | null;
        readonly error: string;
        readonly retryAt: Date | null;
        readonly at: Date;
      },
): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_status: outcome.status,
      last_error: outcome.delivered ? null : outcome.error.slice(0, 500),
      delivered_at: outcome.delivered ? outcome.at : null,
      failed_at: !outcome.delivered && outcome.retryAt === null ? outcome.at : null,
      ...(!outcome.delivered && outcome.retryAt !== null ? { next_attempt_at: outcome.retryAt } : {}),
    }))
    .where('subscription_id', '=', delivery.subscriptionId)
    .where('event_id', '=', delivery.eventId)
    .execute();
}

export interface DeliveryState {
  readonly eventId: string;
  readonly eventType: string;
  readonly attempts: number;
  readonly deliveredAt: Date | null;
  readonly failedAt: Date | null;
  readonly nextAttemptAt: Date;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
}

export async function deliveriesOf(db: Executor, subscriptionId: string, limit: number): Promise<DeliveryState[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['event_id', 'event_type', 'attempts', 'delivered_at', 'failed_at', 'next_attempt_at', 'last_status', 'last_error'])
    .where('subscription_id', '=', subscriptionId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    eventId: row.event_id,
    eventType: row.event_type,
    attempts: row.attempts,
    deliveredAt: row.delivered_at,
    failedAt: row.failed_at,
    nextAttemptAt: row.next_attempt_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
  }));
}
