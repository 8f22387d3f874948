/** What the appender takes: an entry to record, the state change that commits with it, its openings. */
import type { Transaction } from 'kysely';
import type { EntryDraft } from '../ledger/entry.js';
import type { SubjectOpening } from '../ledger/sealing.js';
import type { Database } from '../storage/schema.js';

/** State changes that must commit with the entry, or not at all; runs in a savepoint of the batch. */
export type Effect = (trx: Transaction<Database>, seq: number) => Promise<void>;

export interface AppendRequest {
  readonly draft: Omit<EntryDraft, 'time'>;
  readonly effect?: Effect;
  /** The id of the object the entry records (a decision, a transfer): indexed, not hashed. */
  readonly ref?: string;
  /** Openings of the entry's sealed fields, stored in the vault in the batch's transaction. */
  readonly openings?: readonly SubjectOpening[];
}
