/** Whether the database answers, as the primary, and every migration in migrations/ is applied. */
import { type Kysely, sql } from 'kysely';
import { pendingMigrations } from './migrate.js';
import { DatabaseReadOnlyError, DatabaseTimeoutError } from './pg-connections.js';
import type { Database } from './schema.js';

export type Readiness = { readonly ready: true } | { readonly ready: false; readonly reason: string };

async function probe(db: Kysely<Database>): Promise<unknown> {
  try {
    await sql`SELECT 1`.execute(db);
    return undefined;
  } catch (error) {
    return error ?? new Error('the probe failed');
  }
}

export async function checkReadiness(db: Kysely<Database>): Promise<Readiness> {
  // A pooled connection cut by a failover fails once; the second probe opens a new one.
  const failure = (await probe(db)) === undefined ? undefined : await probe(db);
  if (failure instanceof DatabaseReadOnlyError || failure instanceof DatabaseTimeoutError) {
    return { ready: false, reason: failure.message };
  }
  if (failure !== undefined) return { ready: false, reason: 'the database does not answer' };
  try {
    const pending = await pendingMigrations(db);
    return pending.length === 0 ? { ready: true } : { ready: false, reason: `migrations pending: ${pending.join(', ')}` };
  } catch {
    return { ready: false, reason: 'the migration state cannot be read' };
  }
}
