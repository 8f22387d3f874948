/**
 * The one way the service records an entry: personal fields are sealed by the classification, their
 * openings stored in the vault in the same transaction as the entry (and any state change), and the
 * receipt returned after commit.
 */
import type { AppendRequest, Effect, LedgerAppender, Receipt } from '../ledger-store/ledger-appender.js';
import { type Classification, sealDraft } from '../rules/personal-fields.js';

export class LedgerWriter {
  constructor(
    private readonly appender: LedgerAppender,
    private readonly classification: Classification,
  ) {}

  /**
   * Seals and appends. `ref` indexes the entry by the id of the object it records (not part of the
   * hashed bytes). A value of an erased data subject is recorded as its commitment only: the vault
   * keeps nothing new for them.
   */
  record(draft: AppendRequest['draft'], effect?: Effect, ref?: string): Promise<Receipt> {
    // Commitments are taken with the log's hash, as everything in its entries is.
    const { draft: sealed, openings } = sealDraft(draft, this.classification, undefined, this.appender.hasher);
    return this.appender.append({
      draft: sealed,
      ...(effect === undefined ? {} : { effect }),
      ...(ref === undefined ? {} : { ref }),
      ...(openings.length === 0 ? {} : { openings }),
    });
  }
}
