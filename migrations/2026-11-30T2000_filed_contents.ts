/**
 * What a filing declared, as far as the registry can check it against itself: the number of cameras
 * and the storage period filed. A registry that no longer matches them is due for re-filing.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE systems ADD COLUMN filed_cameras integer, ADD COLUMN filed_retention_days integer`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE systems DROP COLUMN filed_cameras, DROP COLUMN filed_retention_days`.execute(db);
}
