/**
 * Access requests by state organs (Article 24) and in emergencies (Article 25), and the grants
 * their approval issues. Mutable state: every transition is also a ledger entry, written in the
 * same transaction. Personal data (officers, the emergency's details, reasons) lives only sealed in
 * the ledger; these rows keep what the workflow needs to decide and to filter.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE access_requests (
      id               uuid        PRIMARY KEY,
      kind             text        NOT NULL CHECK (kind IN ('state_organ', 'emergency')),
      requester        text        NOT NULL,
      requester_unit   text        NOT NULL,
      target_unit      text        NOT NULL REFERENCES units (id),
      status           text        NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected', 'withdrawn')),
      approvals_needed smallint    NOT NULL CHECK (approvals_needed IN (1, 2)),
      approvers        text[]      NOT NULL DEFAULT '{}',
      camera_ids       text[]      NOT NULL,
      window_from      timestamptz NOT NULL,
      window_to        timestamptz NOT NULL CHECK (window_to >= window_from),
      actions          text[]      NOT NULL,
      case_no          text,
      expiry_hours     integer     NOT NULL CHECK (expiry_hours >= 1),
      submitted_seq    bigint      NOT NULL,
      created_at       timestamptz NOT NULL DEFAULT now(),
      updated_at       timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX access_requests_target ON access_requests (target_unit, status, created_at)`.execute(db);
  await sql`CREATE INDEX access_requests_requester ON access_requests (requester_unit, created_at)`.execute(db);
  await sql`CREATE INDEX access_requests_case ON access_requests (case_no) WHERE case_no IS NOT NULL`.execute(db);
  await sql`
    CREATE TABLE grants (
      id          uuid        PRIMARY KEY,
      request_id  uuid        NOT NULL UNIQUE REFERENCES access_requests (id),
      grantee     text        NOT NULL,
      unit_id     text        NOT NULL,
      camera_ids  text[]      NOT NULL,
      window_from timestamptz NOT NULL,
      window_to   timestamptz NOT NULL,
      actions     text[]      NOT NULL,
      valid_until timestamptz NOT NULL,
      revoked_at  timestamptz,
      uses        integer     NOT NULL DEFAULT 0
    )`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT, INSERT, UPDATE ON access_requests, grants TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE grants`.execute(db);
  await sql`DROP TABLE access_requests`.execute(db);
}
