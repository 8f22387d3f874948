/**
 * Legal holds (Article 16 with Article 24): a state-organ request may ask the unit to preserve a
 * window beyond retention; its approval places a hold that lets that window be accessed for that
 * case until the hold is released. Mutable state; placing and releasing are ledger entries.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE access_requests ADD COLUMN legal_hold boolean NOT NULL DEFAULT false`.execute(db);
  await sql`
    CREATE TABLE legal_holds (
      id          uuid        PRIMARY KEY,
      request_id  uuid        NOT NULL UNIQUE REFERENCES access_requests (id),
      unit_id     text        NOT NULL,
      camera_ids  text[]      NOT NULL,
      window_from timestamptz NOT NULL,
      window_to   timestamptz NOT NULL,
      placed_at   timestamptz NOT NULL DEFAULT now(),
      released_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX legal_holds_unit ON legal_holds (unit_id) WHERE released_at IS NULL`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT, INSERT, UPDATE ON legal_holds TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE legal_holds`.execute(db);
  await sql`ALTER TABLE access_requests DROP COLUMN legal_hold`.execute(db);
}
