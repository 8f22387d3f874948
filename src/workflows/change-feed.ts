/**
 * The change feed (docs/integrations/change-feed.md), run by every replica on a timer:
 * - fan-out: one replica at a time (an advisory lock) reads the ledger past the stored position,
 *   turns the entries into events (rules/feed-events.ts) and queues a delivery per event and
 *   subscription concerned, moving the position in the same transaction; grants about to end are
 *   announced once;
 * - delivery: due deliveries are leased and POSTed, signed (rules/webhook-signature.ts); a non-2xx
 *   answer or a failure is retried with exponential backoff, then given up;
 * - the tail: this replica's own reading of the ledger, pushed to its Server-Sent Event listeners.
 * A ledger that halts is announced at once (`integrityHalted`), to webhooks and listeners.
 */
import type { Kysely } from 'kysely';
import {
  concerns,
  eventBody,
  FEED_ENTRY_KINDS,
  type FeedEntry,
  type FeedEvent,
  feedEventsOf,
  grantExpiringEvent,
  integrityHaltedEvent,
  referencesOf,
} from '../rules/feed-events.js';
import { WEBHOOK_SECRET, webhookSignature } from '../rules/webhook-signature.js';
import {
  activeSubscriptions,
  claimDeliveries,
  type DeliveryRow,
  feedEntriesAfter,
  grantsEndingBefore,
  latestSeq,
  lockFeedPosition,
  queueDeliveries,
  recordAttempt,
  requestUnits,
  setFeedPosition,
  transferUnits,
} from '../storage/feed-repository.js';
import type { Database } from '../storage/schema.js';
import type { Executor } from '../storage/transaction.js';
import { transact } from '../storage/transaction.js';

export interface FeedSettings {
  /** How often the feed reads the ledger and delivers. */
  readonly intervalMs: number;
  /** The first retry's delay; each further one doubles, up to an hour. */
  readonly retryBaseMs: number;
  /** Attempts before a delivery is given up. */
  readonly maxAttempts: number;
  /** How long before its end a grant is announced as expiring. */
  readonly expiryWarningHours: number;
}

export type FeedListener = (event: FeedEvent) => void;

const SPAN = 1000;
const DELIVERY_BATCH = 20;
const REQUEST_TIMEOUT_MS = 5000;
const LEASE_MS = 30_000;
const HOUR_MS = 3_600_000;

async function eventsOf(db: Executor, entries: readonly FeedEntry[]): Promise<FeedEvent[]> {
  const { requestIds, transferIds } = referencesOf(entries);
  const lookups = { requests: await requestUnits(db, requestIds), transfers: await transferUnits(db, transferIds) };
  return entries.flatMap((entry) => feedEventsOf(entry, lookups));
}

export class ChangeFeed {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private tailSeq: number | undefined;
  private readonly listeners = new Set<FeedListener>();
  private closed = false;

  constructor(
    private readonly options: {
      readonly db: Kysely<Database>;
      readonly settings: FeedSettings;
      /** Opens the subscriptions' sealed secrets. */
      readonly secrets: { openSecret(purpose: string, id: string, sealed: string): string };
      readonly onError: (stage: string, error: unknown) => void;
      readonly now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async start(): Promise<void> {
    this.tailSeq = await latestSeq(this.options.db);
    this.timer = setInterval(() => void this.runOnce(), this.options.settings.intervalMs);
    this.timer.unref();
  }

  /** One round of fan-out, delivery and tail; concurrent calls share the round in progress. */
  runOnce(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running !== undefined) return this.running;
    this.running = (async () => {
      // The ledger's end is read once a round; what is appended meanwhile waits for the next one.
      let latest: number;
      try {
        latest = await latestSeq(this.options.db);
      } catch (error) {
        this.options.onError('fan-out', error);
        return;
      }
      for (const [stage, step] of [
        ['fan-out', () => this.fanOut(latest)],
        ['delivery', () => this.deliver()],
        ['tail', () => this.tail(latest)],
      ] as const) {
        try {
          await step();
        } catch (error) {
          this.options.onError(stage, error);
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Listens to this replica's events; returns the function that stops listening. */
  listen(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The events of entries after `seq` (a reconnecting listener's Last-Event-ID), at most SPAN entries. */
  async replay(seq: number): Promise<FeedEvent[]> {
    const { db } = this.options;
    const until = this.tailSeq ?? (await latestSeq(db));
    const { entries } = await feedEntriesAfter(db, seq, FEED_ENTRY_KINDS, SPAN, until);
    return eventsOf(db, entries);
  }

  /** The ledger halted: every subscription asking for it and every listener is told now. */
  async integrityHalted(finding: { readonly check: string; readonly reference: string }): Promise<void> {
    const event = integrityHaltedEvent(finding, this.now());
    for (const listener of this.listeners) listener(event);
    await queueDeliveries(this.options.db, this.deliveriesFor([event], await activeSubscriptions(this.options.db)));
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
    this.listeners.clear();
  }

  private deliveriesFor(
    events: readonly FeedEvent[],
    subscriptions: Awaited<ReturnType<typeof activeSubscriptions>>,
  ): DeliveryRow[] {
    const rows: DeliveryRow[] = [];
    for (const event of events) {
      const body = eventBody(event);
      for (const subscription of subscriptions) {
        if (event.seq !== null && event.seq <= subscription.afterSeq) continue;
        if (!concerns(event, subscription.unitId, subscription.eventTypes)) continue;
        rows.push({ subscriptionId: subscription.id, eventId: event.id, eventType: event.type, body });
      }
    }
    return rows;
  }

  private async fanOut(latest: number): Promise<void> {
    const now = this.now();
    await transact(this.options.db, 'feed.fan_out', async (trx) => {
      const position = await lockFeedPosition(trx);
      if (position === undefined) return;
      const subscriptions = await activeSubscriptions(trx);
      if (subscriptions.length === 0) {
        if (latest > position) await setFeedPosition(trx, latest);
        return;
      }
      const { entries, through } = await feedEntriesAfter(trx, position, FEED_ENTRY_KINDS, SPAN, latest);
      const events = await eventsOf(trx, entries);
      const until = new Date(now.getTime() + this.options.settings.expiryWarningHours * HOUR_MS);
      for (const grant of await grantsEndingBefore(trx, now, until)) events.push(grantExpiringEvent(grant, grant.units, now));
      await queueDeliveries(trx, this.deliveriesFor(events, subscriptions));
      if (through > position) await setFeedPosition(trx, through);
    });
  }

  private async deliver(): Promise<void> {
    const { db, settings } = this.options;
    const claimed = await claimDeliveries(db, this.now(), LEASE_MS, DELIVERY_BATCH);
    await Promise.all(
      claimed.map(async (delivery) => {
        const timestamp = Math.floor(this.now().getTime() / 1000);
        let status: number | null = null;
        let error = '';
        try {
          const response = await fetch(delivery.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'footage-warden-event-id': delivery.eventId,
              'footage-warden-event-type': delivery.eventType,
              'footage-warden-timestamp': String(timestamp),
              'footage-warden-signature': webhookSignature(
                this.options.secrets.openSecret(WEBHOOK_SECRET, delivery.subscriptionId, delivery.secret),
                timestamp,
                delivery.body,
              ),
            },
            body: delivery.body,
            redirect: 'error',
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
          });
          status = response.status;
          await response.body?.cancel().catch(() => undefined);
          if (response.ok) {
            await recordAttempt(db, delivery, { delivered: true, status, at: this.now() });
            return;
          }
          error = `answered ${status}`;
        } catch (cause) {
          error = (cause as Error).message;
        }
        const attempt = delivery.attempts + 1;
        const retryAt =
          attempt >= settings.maxAttempts
            ? null
            : new Date(this.now().getTime() + Math.min(settings.retryBaseMs * 2 ** (attempt - 1), HOUR_MS));
        await recordAttempt(db, delivery, { delivered: false, status, error, retryAt, at: this.now() });
      }),
    );
  }

  private async tail(latest: number): Promise<void> {
    if (this.tailSeq === undefined || this.listeners.size === 0) {
      this.tailSeq = latest;
      return;
    }
    const { entries, through } = await feedEntriesAfter(this.options.db, this.tailSeq, FEED_ENTRY_KINDS, SPAN, latest);
    this.tailSeq = through;
    for (const event of await eventsOf(this.options.db, entries)) {
      for (const listener of this.listeners) listener(event);
    }
  }
}
