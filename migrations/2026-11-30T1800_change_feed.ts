/**
 * The change feed for integrations (docs/integrations/change-feed.md):
 * - `webhook_subscriptions`: a unit's endpoints, the event types each wants, and the secret that
 *   signs its deliveries; deactivated, never deleted;
 * - `feed_position`: how far the ledger has been fanned out into deliveries (one row);
 * - `webhook_deliveries`: one row per event and subscription, with its attempts, so that a restart
 *   loses nothing and every event is delivered at least once.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE webhook_subscriptions (
      id          uuid        PRIMARY KEY,
      unit_id     text        NOT NULL REFERENCES units (id),
      url         text        NOT NULL,
      secret      text        NOT NULL,
      event_types text[]      NOT NULL,
      created_by  text        NOT NULL,
      after_seq   bigint      NOT NULL,
      active      boolean     NOT NULL DEFAULT true,
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX webhook_subscriptions_unit ON webhook_subscriptions (unit_id, active)`.execute(db);
  await sql`
    CREATE TABLE feed_position (
      id  smallint PRIMARY KEY CHECK (id = 1),
      seq bigint   NOT NULL
    )`.execute(db);
  await sql`INSERT INTO feed_position (id, seq) VALUES (1, -1)`.execute(db);
  await sql`
    CREATE TABLE webhook_deliveries (
      subscription_id uuid        NOT NULL REFERENCES webhook_subscriptions (id),
      event_id        text        NOT NULL,
      event_type      text        NOT NULL,
      body            text        NOT NULL,
      attempts        integer     NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      delivered_at    timestamptz,
      failed_at       timestamptz,
      last_status     integer,
      last_error      text,
      created_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscription_id, event_id)
    )`.execute(db);
  await sql`
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
      WHERE delivered_at IS NULL AND failed_at IS NULL`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT, INSERT, UPDATE ON webhook_subscriptions, webhook_deliveries, feed_position TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE webhook_deliveries`.execute(db);
  await sql`DROP TABLE feed_position`.execute(db);
  await sql`DROP TABLE webhook_subscriptions`.execute(db);
}
