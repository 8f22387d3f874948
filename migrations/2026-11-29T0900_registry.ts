/**
 * The registry (units, systems, cameras, personnel), role assignments, the transfer register, and
 * a `ref` column that indexes ledger entries by the object they record (a decision, a transfer).
 * Registry rows are mutable state: every change to them is recorded as a ledger entry in the same
 * transaction. Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

const ID = sql`text NOT NULL CHECK (id ~ '^[a-z0-9][a-z0-9._-]{0,63}$')`;
/** Personnel are keyed by the subject their tokens carry. */
const SUBJECT_ID = sql`text NOT NULL CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}$')`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE units (
      id         ${ID} PRIMARY KEY,
      name       text        NOT NULL,
      kind       text        NOT NULL CHECK (kind IN ('using_unit', 'state_organ', 'entrusted_operator', 'oversight')),
      active     boolean     NOT NULL DEFAULT true,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE systems (
      id             ${ID} PRIMARY KEY,
      unit_id        text        NOT NULL REFERENCES units (id),
      name           text        NOT NULL,
      legal_basis    smallint    NOT NULL CHECK (legal_basis IN (9, 10, 12)),
      went_live_on   date        NOT NULL,
      filing_organ   text,
      filing_number  text,
      filed_on       date,
      signage        boolean     NOT NULL,
      retention_days integer     NOT NULL DEFAULT 30 CHECK (retention_days >= 1),
      active         boolean     NOT NULL DEFAULT true,
      updated_at     timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX systems_unit ON systems (unit_id)`.execute(db);
  await sql`
    CREATE TABLE cameras (
      id                 ${ID} PRIMARY KEY,
      system_id          text        NOT NULL REFERENCES systems (id),
      name               text        NOT NULL,
      location           text        NOT NULL,
      location_class     text        NOT NULL,
      near_military_area boolean     NOT NULL DEFAULT false,
      groups             text[]      NOT NULL DEFAULT '{}',
      active             boolean     NOT NULL DEFAULT true,
      updated_at         timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX cameras_system ON cameras (system_id)`.execute(db);
  await sql`
    CREATE TABLE personnel (
      id                        ${SUBJECT_ID} PRIMARY KEY,
      unit_id                   text        NOT NULL REFERENCES units (id),
      name                      text,
      position                  text        NOT NULL,
      training_valid_until      date,
      confidentiality_signed_on date,
      active                    boolean     NOT NULL DEFAULT true,
      updated_at                timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX personnel_unit ON personnel (unit_id)`.execute(db);
  await sql`
    CREATE TABLE role_assignments (
      subject    text        NOT NULL,
      role       text        NOT NULL,
      unit_id    text        NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subject, role, unit_id)
    )`.execute(db);
  await sql`
    CREATE TABLE transfers (
      id           uuid        PRIMARY KEY,
      decision_id  uuid        NOT NULL UNIQUE,
      seq          bigint      NOT NULL,
      unit_id      text        NOT NULL,
      subject      text        NOT NULL,
      camera_id    text        NOT NULL,
      recipient_unit text      NOT NULL,
      created_at   timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX transfers_unit ON transfers (unit_id, created_at)`.execute(db);
  await sql`ALTER TABLE ledger_entries ADD COLUMN ref text`.execute(db);
  await sql`CREATE INDEX ledger_entries_ref ON ledger_entries (ref, seq) WHERE ref IS NOT NULL`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT, INSERT, UPDATE ON units, systems, cameras, personnel TO footage_warden_service;
        GRANT SELECT, INSERT, DELETE ON role_assignments TO footage_warden_service;
        GRANT SELECT, INSERT ON transfers TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX ledger_entries_ref`.execute(db);
  await sql`ALTER TABLE ledger_entries DROP COLUMN ref`.execute(db);
  for (const table of ['transfers', 'role_assignments', 'personnel', 'cameras', 'systems', 'units']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
