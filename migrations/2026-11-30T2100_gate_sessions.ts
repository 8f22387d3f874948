/**
 * `gate_sessions`: the media server's session (a MediaMTX or ZLMediaKit connection id) that an
 * allow admitted, with the decision that allowed it, so that the server's later reports of the
 * session starting and stopping are recorded under that decision. A row lives from the allow to
 * the session's stop. Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE gate_sessions (
      gateway     text        NOT NULL,
      session_id  text        NOT NULL,
      decision_id uuid        NOT NULL,
      camera_id   text        NOT NULL,
      subject     text        NOT NULL,
      unit_id     text        NOT NULL,
      stream      text        NOT NULL,
      started     boolean     NOT NULL DEFAULT false,
      opened_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (gateway, session_id)
    )`.execute(db);
  await sql`CREATE INDEX gate_sessions_stream ON gate_sessions (gateway, stream)`.execute(db);
  await sql`CREATE INDEX gate_sessions_opened ON gate_sessions (opened_at)`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON gate_sessions TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE gate_sessions`.execute(db);
}
