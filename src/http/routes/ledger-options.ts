import type { Kysely } from 'kysely';
import type { LedgerWriter } from '../../domain/ledger-writer.js';
import type { VerifierKey } from '../../ledger/note.js';
import type { Database } from '../../storage/schema.js';
import type { Vault } from '../../storage/vault.js';

/** What the ledger routes need: the database, the writer, the vault and the log's identity. */
export interface LedgerRouteOptions {
  readonly db: Kysely<Database>;
  readonly writer: LedgerWriter;
  readonly vault: Vault;
  readonly origin: string;
  readonly verifierKey: VerifierKey;
}
