/**
 * The history check before a service accepts traffic: the latest checkpoint the witnesses cosigned
 * (a quorum of verified cosignature lines, whether or not the checkpoint row is still stored) and
 * the latest stored checkpoint (signature checked) bind the log; the stored tail from the earlier of
 * the two is verified entry by entry, node by node, and must extend both. A finding halts the
 * ledger before the first request.
 */
import type { CosignerKey } from '../ledger/cosignature.js';
import type { IntegrityFinding } from '../ledger/history-guard.js';
import type { VerifierKey } from '../ledger/note.js';
import type { TreeHash } from '../ledger/tree-hash.js';
import type { Executor } from '../storage/transaction.js';
import { latestWitnessed } from './cosignature-repository.js';
import { type LedgerIntegrity, LedgerIntegrityError, openStoredCheckpoint } from './ledger-integrity.js';
import { latestCheckpoint, treeSize } from './ledger-repository.js';
import { verifyStoredLedger } from './ledger-verification.js';

export interface StartCheckOptions {
  readonly origin: string;
  readonly trustedKeys: readonly VerifierKey[];
  readonly witnesses: readonly CosignerKey[];
  readonly quorum: number;
  /** The log's tree hash (its suite's); SHA-256 unless said. */
  readonly hasher?: TreeHash;
}

function halt(integrity: LedgerIntegrity, finding: IntegrityFinding): void {
  try {
    integrity.halt(finding);
  } catch {
    // The halt is the outcome; the service starts halted and says why.
  }
}

export async function checkHistoryAtStart(db: Executor, integrity: LedgerIntegrity, options: StartCheckOptions): Promise<void> {
  const size = await treeSize(db);
  const stored = await latestCheckpoint(db);
  const witnessed = await latestWitnessed(db, options.origin, options.witnesses, options.quorum);
  if (witnessed !== undefined) integrity.noteWitnessed({ origin: options.origin, ...witnessed });
  if (stored === undefined) {
    if (size > 0 || witnessed !== undefined) {
      halt(integrity, { check: 'tail', reference: 'stored', detail: `the log holds ${size} entries and no checkpoint` });
    }
    return;
  }
  let storedCheckpoint: { size: number; root: Buffer };
  try {
    storedCheckpoint = await openStoredCheckpoint(db, stored.note, stored.treeSize, options.origin, options.trustedKeys);
  } catch (error) {
    halt(integrity, {
      check: 'checkpoint-signature',
      reference: 'stored',
      detail: `the latest stored checkpoint does not verify: ${(error as Error).message}`,
    });
    return;
  }
  if (witnessed !== undefined && witnessed.size > size) {
    halt(integrity, {
      check: 'log-shrank',
      reference: 'witnessed',
      detail: `the log holds ${size} entries, fewer than the witnessed checkpoint of size ${witnessed.size}`,
    });
    return;
  }
  const from = witnessed !== undefined && witnessed.size < storedCheckpoint.size ? witnessed : storedCheckpoint;
  const result = await verifyStoredLedger(db, {
    origin: options.origin,
    trustedKeys: options.trustedKeys,
    trusted: { origin: options.origin, ...from },
    ...(options.hasher === undefined ? {} : { hasher: options.hasher }),
  });
  if (!result.ok) {
    const failure = result.firstFailure;
    halt(integrity, {
      check: 'tail',
      reference: from === witnessed ? 'witnessed' : 'stored',
      detail: `the stored log after the checkpoint of size ${from.size} fails at entry ${failure?.seq}: ${failure?.check} (expected ${failure?.expected}, found ${failure?.actual})`,
    });
    return;
  }
  // Both bound checkpoints must be extended by the stored head (the later one was verified above as part of the tail).
  if (witnessed !== undefined && witnessed.size >= storedCheckpoint.size) {
    await integrity
      .assertExtendsOne(db, { reference: 'witnessed', ...witnessed }, { size, root: Buffer.from(result.root, 'hex') })
      .catch((error: unknown) => {
        // The halt is the outcome; a database error is not.
        if (!(error instanceof LedgerIntegrityError)) throw error;
      });
  }
}
