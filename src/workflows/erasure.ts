/**
 * Erasing a data subject (docs/privacy.md): only a subject of the caller's own unit (erasureRefusal),
 * whose data key and sealed values are destroyed in the transaction that records `subject.erased`.
 * Every entry, proof, checkpoint and export stays verifiable.
 */
import type { Receipt } from '../ledger/receipt.js';
import type { Vault } from '../ledger-store/vault.js';
import type { Caller } from '../rules/caller.js';
import { actorOf } from '../rules/caller.js';
import { DomainError } from '../rules/domain-error.js';
import { erasureRefusal } from '../rules/unit-scope.js';
import type { Executor } from '../storage/transaction.js';
import type { AccessState } from './access-state.js';
import type { LedgerWriter } from './ledger-writer.js';

/** Legal grounds for erasure (the Personal Information Protection Law's erasure duty). */
export const ERASURE_BASES = [
  'purpose_fulfilled',
  'retention_expired',
  'consent_withdrawn',
  'unlawful_processing',
  'legal_order',
] as const;

export interface ErasureContext {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  readonly vault: Vault;
  readonly access: AccessState;
}

export interface Erasure {
  readonly valuesErased: number;
  readonly receipt: Receipt;
}

export class ErasureError extends DomainError<'not-your-subject'> {}

export async function eraseSubject(
  context: ErasureContext,
  caller: Caller,
  subjectId: string,
  basis: (typeof ERASURE_BASES)[number],
  reference: string | undefined,
): Promise<Erasure> {
  const recordedBy = await context.vault.unitsRecording(context.db, subjectId);
  const refusal = erasureRefusal(context.access.current, caller.unit, subjectId, recordedBy);
  if (refusal !== undefined) throw new ErasureError('not-your-subject', refusal);
  let valuesErased = 0;
  const receipt = await context.writer.record(
    {
      kind: 'subject.erased',
      actor: actorOf(caller),
      payload: { subject_id: subjectId, basis, reference: reference ?? null },
    },
    async (trx, seq) => {
      valuesErased = await context.vault.erase(trx, subjectId, seq);
    },
  );
  return { valuesErased, receipt };
}
