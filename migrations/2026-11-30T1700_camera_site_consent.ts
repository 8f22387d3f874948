/**
 * A camera near a military restricted or managed area, or another classified unit, needs the
 * opinion or consent of that site's organ before it is used (draft Article 13; Decree 799 Article
 * 10): `site_consent_ref` records its reference. Without one, decisions on the camera deny.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE cameras ADD COLUMN site_consent_ref text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE cameras DROP COLUMN site_consent_ref`.execute(db);
}
