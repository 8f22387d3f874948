/**
 * The compliance report reads a period's entries of one kind (decisions) in time order; this index
 * serves that without scanning every entry of the kind. The ledger's bytes are unchanged.
 * Frozen: this file must not import application code.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX ledger_entries_kind_time ON ledger_entries (kind, time, seq)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX ledger_entries_kind_time`.execute(db);
}
