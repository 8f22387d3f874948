/**
 * Two things the mediation fixes need (issue: no unit reaches past its own authority):
 * - `units.entrusts`: the entrusted operators a unit has entrusted with its systems (Article 20).
 *   An entrusted operator's personnel and gateways act for the units that entrusted it, and no other.
 * - The service role reads the migration tables, so `/readyz` can report pending migrations when the
 *   service logs in as a member of `footage_warden_service` on a database migrated by its owner.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE units ADD COLUMN entrusts text[] NOT NULL DEFAULT '{}'`.execute(db);
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'footage_warden_service') THEN
        GRANT SELECT ON kysely_migration, kysely_migration_lock TO footage_warden_service;
      END IF;
    END
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE units DROP COLUMN entrusts`.execute(db);
}
