/**
 * The ledger: entries (the RFC 9162 leaves), complete-subtree hashes and signed checkpoints.
 * Append-only three times over: the service role is granted INSERT and SELECT only, and triggers
 * that fire ALWAYS (also under session_replication_role = replica) refuse UPDATE, DELETE and
 * TRUNCATE. Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

const TABLES = ['ledger_entries', 'ledger_nodes', 'ledger_checkpoints'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE ledger_entries (
      seq        bigint      PRIMARY KEY CHECK (seq >= 0),
      time       timestamptz NOT NULL,
      kind       text        NOT NULL,
      unit       text,
      subject    text,
      camera     text,
      canonical  bytea       NOT NULL,
      leaf_hash  bytea       NOT NULL CHECK (octet_length(leaf_hash) = 32)
    )`.execute(db);
  await sql`CREATE INDEX ledger_entries_kind ON ledger_entries (kind, seq)`.execute(db);
  await sql`CREATE INDEX ledger_entries_camera ON ledger_entries (camera, seq) WHERE camera IS NOT NULL`.execute(db);
  await sql`CREATE INDEX ledger_entries_subject ON ledger_entries (subject, seq) WHERE subject IS NOT NULL`.execute(db);
  await sql`CREATE INDEX ledger_entries_unit ON ledger_entries (unit, seq) WHERE unit IS NOT NULL`.execute(db);
  await sql`
    CREATE TABLE ledger_nodes (
      level smallint NOT NULL CHECK (level >= 1 AND level <= 62),
      idx   bigint   NOT NULL CHECK (idx >= 0),
      hash  bytea    NOT NULL CHECK (octet_length(hash) = 32),
      PRIMARY KEY (level, idx)
    )`.execute(db);
  await sql`
    CREATE TABLE ledger_checkpoints (
      tree_size  bigint      PRIMARY KEY CHECK (tree_size >= 1),
      root       bytea       NOT NULL CHECK (octet_length(root) = 32),
      key_id     text        NOT NULL,
      note       text        NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db);
  for (const table of TABLES) {
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_no_change`)} BEFORE UPDATE OR DELETE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()`.execute(db);
    await sql`
      CREATE TRIGGER ${sql.id(`${table}_no_truncate`)} BEFORE TRUNCATE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ALWAYS TRIGGER ${sql.id(`${table}_no_change`)}`.execute(db);
    await sql`ALTER TABLE ${sql.table(table)} ENABLE ALWAYS TRIGGER ${sql.id(`${table}_no_truncate`)}`.execute(db);
  }
  // The role the service should run as (docs/operations.md). Where the migrating role may not create
  // roles, an operator creates it and applies the same grants by hand.
  await sql`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        BEGIN
          CREATE ROLE footage_warden_service NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE NOTICE 'cannot create role footage_warden_service; see docs/operations.md';
          RETURN;
        END;
      END IF;
      REVOKE ALL ON ledger_entries, ledger_nodes, ledger_checkpoints FROM footage_warden_service;
      GRANT SELECT, INSERT ON ledger_entries, ledger_nodes, ledger_checkpoints TO footage_warden_service;
    END
    $$`.execute(db);
  await sql`REVOKE UPDATE, DELETE, TRUNCATE ON ledger_entries, ledger_nodes, ledger_checkpoints FROM PUBLIC`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the ledger migration cannot be reverted: the ledger is append-only');
}
