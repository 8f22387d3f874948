/**
 * The ledger's audit use cases: a verification of the stored log, recorded as `ledger.verified`;
 * an export, which for a named recipient first records the disclosure of personal values
 * (`personal_data.disclosed`): no record, no export.
 */
import type { Checkpoint } from '../ledger/checkpoint.js';
import type { Receipt } from '../ledger/receipt.js';
import type { VerificationResult } from '../ledger/verifier.js';
import { type ExportDisclosure, exportLines } from '../ledger-store/ledger-export.js';
import { verifyStoredLedger } from '../ledger-store/ledger-verification.js';
import type { Caller } from '../rules/caller.js';
import { actorOf } from '../rules/caller.js';
import type { ServiceContext } from './service-context.js';

export function presentResult(result: VerificationResult) {
  return {
    ok: result.ok,
    tree_size: result.treeSize,
    root: result.root,
    entries_checked: result.entriesChecked,
    checkpoints_checked: result.checkpointsChecked,
    first_failure: result.firstFailure,
  };
}

/**
 * Before a verification is run, the stored head must extend what the log is bound to (its last
 * signed and latest witnessed checkpoints): a log cut or rewritten together with its checkpoints
 * verifies on its own, and must not be reported sound. Throws `ledger-integrity` (the ledger halts).
 */
export function assertLedgerBound(context: Pick<ServiceContext, 'db' | 'ledger'>): Promise<void> {
  return context.ledger.integrity.assertStoredHead(context.db);
}

/** Verifies the stored log (from a trusted checkpoint when given) and records the result. */
export async function verifyAndRecord(
  context: Pick<ServiceContext, 'reads' | 'writer' | 'ledger'>,
  caller: Caller,
  trusted: Checkpoint | undefined,
  onProgress: (progress: { entriesChecked: number; treeSize: number }) => void,
): Promise<{ result: VerificationResult; receipt: Receipt }> {
  const result = await context.reads.read((db) =>
    verifyStoredLedger(db, {
      origin: context.ledger.origin,
      trustedKeys: [...context.ledger.trustedKeys],
      ...(trusted === undefined ? {} : { trusted }),
      onProgress,
      hasher: context.ledger.hasher,
    }),
  );
  context.ledger.metrics.verified(result);
  const receipt = await context.writer.record({
    kind: 'ledger.verified',
    actor: actorOf(caller),
    payload: { ...presentResult(result), from_trusted_size: trusted?.size ?? null },
  });
  return { result, receipt };
}

/** The export's lines; with a recipient, the disclosure is recorded before the first line exists. */
export async function exportFor(
  context: Pick<ServiceContext, 'reads' | 'writer' | 'vault' | 'ledger'>,
  caller: Caller,
  range: { readonly from: number; readonly to: number; readonly size: number },
  recipient: string | undefined,
): Promise<AsyncIterable<string>> {
  if (recipient !== undefined) {
    await context.writer.record({
      kind: 'personal_data.disclosed',
      actor: actorOf(caller),
      payload: { recipient, from: range.from, to: range.to },
    });
  }
  return context.reads.stream((db) => {
    const disclosure: ExportDisclosure | undefined =
      recipient === undefined ? undefined : { recipient, openings: (seqs) => context.vault.read(db, seqs) };
    return exportLines(db, context.ledger.origin, range, disclosure, context.ledger.hasher);
  });
}
