import type { Kysely } from 'kysely';
import type { VerifierKey } from '../../ledger/note.js';
import type { LedgerAppender } from '../../storage/ledger-appender.js';
import type { Database } from '../../storage/schema.js';

/** What the ledger routes need: the database, the appender, and the log's identity. */
export interface LedgerRouteOptions {
  readonly db: Kysely<Database>;
  readonly appender: LedgerAppender;
  readonly origin: string;
  readonly verifierKey: VerifierKey;
}
