/**
 * The transfer register's two sides (Article 23(3)):
 * - `transfers` keeps what the gate needs to release an export once its transfer is registered (the
 *   decision's person, grant, window and end) and whom the footage is handed to when that unit is in the
 *   registry (`recipient_unit_id`, `recipient_subject`), with the file's SHA-256;
 * - `transfer_acknowledgements`: the receiving side's receipt, with the hash it received. Insert-only.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE transfers
      ADD COLUMN person_subject    text,
      ADD COLUMN grant_id          uuid,
      ADD COLUMN window_from       timestamptz,
      ADD COLUMN window_to         timestamptz,
      ADD COLUMN valid_until       timestamptz,
      ADD COLUMN file_sha256       text,
      ADD COLUMN recipient_unit_id text,
      ADD COLUMN recipient_subject text`.execute(db);
  await sql`CREATE INDEX transfers_release ON transfers (person_subject, camera_id, valid_until)`.execute(db);
  await sql`CREATE INDEX transfers_recipient ON transfers (recipient_unit_id, created_at)`.execute(db);
  await sql`
    CREATE TABLE transfer_acknowledgements (
      transfer_id uuid        PRIMARY KEY REFERENCES transfers (id),
      seq         bigint      NOT NULL,
      unit_id     text        NOT NULL,
      subject     text        NOT NULL,
      file_sha256 text        NOT NULL,
      matches     boolean     NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT, INSERT ON transfer_acknowledgements TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE transfer_acknowledgements`.execute(db);
  await sql`DROP INDEX transfers_recipient`.execute(db);
  await sql`DROP INDEX transfers_release`.execute(db);
  await sql`
    ALTER TABLE transfers
      DROP COLUMN person_subject, DROP COLUMN grant_id, DROP COLUMN window_from, DROP COLUMN window_to, DROP COLUMN valid_until,
      DROP COLUMN file_sha256, DROP COLUMN recipient_unit_id, DROP COLUMN recipient_subject`.execute(db);
}
