/**
 * The one way the service records an entry: personal fields are sealed by the classification, their
 * openings stored in the vault in the same transaction as the entry (and any state change), and the
 * receipt returned after commit.
 */
import {
  type AppendRequest,
  type Effect,
  type LedgerAppender,
  LedgerUnavailableError,
  type Receipt,
} from '../storage/ledger-appender.js';
import type { Executor } from '../storage/transaction.js';
import { type Vault, VaultError } from '../storage/vault.js';
import { type Classification, sealDraft } from './personal-fields.js';

export class LedgerWriter {
  constructor(
    private readonly db: Executor,
    private readonly appender: LedgerAppender,
    private readonly vault: Vault,
    private readonly classification: Classification,
  ) {}

  /**
   * Seals and appends. `ref` indexes the entry by the id of the object it records (not part of the
   * hashed bytes). Refused (VaultError) when a data subject of the entry was erased.
   */
  async record(draft: AppendRequest['draft'], effect?: Effect, ref?: string): Promise<Receipt> {
    const { draft: sealed, openings } = sealDraft(draft, this.classification);
    try {
      await this.vault.refuseErased(
        this.db,
        openings.map((opening) => opening.subjectId),
      );
    } catch (error) {
      throw error instanceof VaultError ? error : new LedgerUnavailableError(error);
    }
    return this.appender.append({
      draft: sealed,
      ...(effect === undefined ? {} : { effect }),
      ...(ref === undefined ? {} : { ref }),
      ...(openings.length === 0 ? {} : { openings }),
    });
  }
}
