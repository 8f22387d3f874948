/**
 * Personal data beside the ledger (docs/privacy.md): one data key per data subject, wrapped by the
 * master key, and the sealed values encrypted under it. Erasure destroys the wrapped key and the
 * ciphertexts; these tables are mutable on purpose and are not part of the hashed log.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE data_subjects (
      id          text        PRIMARY KEY,
      wrapped_key bytea,
      created_at  timestamptz NOT NULL DEFAULT now(),
      erased_at   timestamptz,
      erased_seq  bigint,
      CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
    )`.execute(db);
  await sql`
    CREATE TABLE sealed_values (
      seq        bigint NOT NULL,
      pointer    text   NOT NULL,
      subject_id text   NOT NULL REFERENCES data_subjects (id),
      nonce      bytea  NOT NULL CHECK (octet_length(nonce) = 12),
      ciphertext bytea  NOT NULL,
      PRIMARY KEY (seq, pointer)
    )`.execute(db);
  await sql`CREATE INDEX sealed_values_subject ON sealed_values (subject_id)`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT, INSERT, UPDATE ON data_subjects TO footage_warden_service;
        GRANT SELECT, INSERT, DELETE ON sealed_values TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE sealed_values`.execute(db);
  await sql`DROP TABLE data_subjects`.execute(db);
}
