/** Whether the database answers and every migration in migrations/ is applied. */
import { type Kysely, sql } from 'kysely';
import { pendingMigrations } from './migrate.js';
import type { Database } from './schema.js';

export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

export async function checkReadiness(db: Kysely<Database>): Promise<Readiness> {
  try {
    await sql`SELECT 1`.execute(db);
  } catch {
    return { ready: false, reason: 'the database does not answer' };
  }
  try {
    const pending = await pendingMigrations(db);
    return pending.length === 0 ? { ready: true } : { ready: false, reason: `migrations pending: ${pending.join(', ')}` };
  } catch {
    return { ready: false, reason: 'the migration state cannot be read' };
  }
}
