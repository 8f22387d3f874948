/**
 * A log's suite, as its entry 0 records it (tree-hash.ts): a `ledger.created` entry names it, and a
 * log whose entry 0 is anything else is a `c2sp` log. The appender records it in a new log's first
 * batch.
 */
import { decodeEntry } from '../ledger/entry.js';
import { LEDGER_CREATED, type SuiteName } from '../ledger/tree-hash.js';
import type { Executor } from '../storage/transaction.js';

/** The suite entry 0 records; undefined for an empty log; the raw text when it names no known suite. */
export async function suiteOfStoredLog(db: Executor): Promise<SuiteName | string | undefined> {
  const row = await db.selectFrom('ledger_entries').select('canonical').where('seq', '=', 0).executeTakeFirst();
  if (row === undefined) return undefined;
  const entry = decodeEntry(row.canonical);
  return entry.kind === LEDGER_CREATED ? String(entry.payload.suite) : 'c2sp';
}
