/**
 * The channel on which every replica hears that access facts changed (roles, grants, holds, the
 * registry): a NOTIFY sent in the changing transaction reaches the listeners when it commits.
 */
import { sql } from 'kysely';
import type { Executor } from './transaction.js';

export const ACCESS_CHANNEL = 'footage_warden_access';

/** Sends the change notification; delivered to every listener when the transaction commits. */
export async function announceAccessChange(trx: Executor): Promise<void> {
  await sql`SELECT pg_notify(${ACCESS_CHANNEL}, '')`.execute(trx);
}
