/**
 * A system's legal basis is a category the regulation profiles name (`system_categories`), not an
 * article number of one text: `government` (built by government for public security),
 * `venue_operator` (built by the operator of a crowded or transport venue) and
 * `other_public_place` (other public places, by whoever has a security duty there). Each profile
 * says which of its articles each category rests on, and what it exempts. Existing rows carried the
 * 2024 draft's articles 9, 10 and 12.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE systems DROP CONSTRAINT IF EXISTS systems_legal_basis_check`.execute(db);
  await sql`
    ALTER TABLE systems ALTER COLUMN legal_basis TYPE text USING
      CASE legal_basis WHEN 9 THEN 'government' WHEN 10 THEN 'venue_operator' ELSE 'other_public_place' END`.execute(db);
  await sql`ALTER TABLE systems ADD CONSTRAINT systems_legal_basis_name CHECK (legal_basis ~ '^[a-z][a-z_]{0,63}$')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE systems DROP CONSTRAINT systems_legal_basis_name`.execute(db);
  await sql`
    ALTER TABLE systems ALTER COLUMN legal_basis TYPE smallint USING
      CASE legal_basis WHEN 'government' THEN 9 WHEN 'venue_operator' THEN 10 ELSE 12 END`.execute(db);
}
