/**
 * The one way the service records an entry: personal fields are sealed by the classification, their
 * openings stored in the vault in the same transaction as the entry (and any state change), and the
 * receipt returned after commit.
 */
import type { AppendRequest, Effect, LedgerAppender, Receipt } from '../storage/ledger-appender.js';
import type { Vault } from '../storage/vault.js';
import { type Classification, sealDraft } from './personal-fields.js';

export class LedgerWriter {
  constructor(
    private readonly appender: LedgerAppender,
    private readonly vault: Vault,
    private readonly classification: Classification,
  ) {}

  record(draft: AppendRequest['draft'], effect?: Effect): Promise<Receipt> {
    const { draft: sealed, openings } = sealDraft(draft, this.classification);
    if (openings.length === 0) return this.appender.append(effect === undefined ? { draft: sealed } : { draft: sealed, effect });
    return this.appender.append({
      draft: sealed,
      effect: async (trx, seq) => {
        await effect?.(trx, seq);
        await this.vault.store(trx, seq, openings);
      },
    });
  }
}
