/**
 * Witness cosignatures (C2SP tlog-cosignature) on the log's checkpoints: one row per witness and
 * tree size, holding the exact `cosignature/v1` signature line the witness answered. Append-only
 * like the ledger itself: the latest cosigned size per witness is what the service proves
 * consistency from, and what it refuses to sign behind.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ledger_cosignatures (
      witness text NOT NULL,
      tree_size bigint NOT NULL CHECK (tree_size > 0),
      root bytea NOT NULL CHECK (octet_length(root) = 32),
      signature text NOT NULL,
      cosigned_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (witness, tree_size)
    )`.execute(db);
  await sql`CREATE INDEX ledger_cosignatures_size ON ledger_cosignatures (tree_size)`.execute(db);
  await sql`
    CREATE TRIGGER ledger_cosignatures_no_change BEFORE UPDATE OR DELETE ON ledger_cosignatures
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`.execute(db);
  await sql`
    CREATE TRIGGER ledger_cosignatures_no_truncate BEFORE TRUNCATE ON ledger_cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`.execute(db);
  await sql`ALTER TABLE ledger_cosignatures ENABLE ALWAYS TRIGGER ledger_cosignatures_no_change`.execute(db);
  await sql`ALTER TABLE ledger_cosignatures ENABLE ALWAYS TRIGGER ledger_cosignatures_no_truncate`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT, INSERT ON ledger_cosignatures TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE ledger_cosignatures`.execute(db);
}
