/**
 * The receiving side of a transfer: the unit it was handed to, or the person named
 * in it, acknowledges receipt with the SHA-256 of the file received. The acknowledgement is a
 * `transfer.acknowledged` entry whatever the hash; one that differs from the registered hash is a
 * compliance finding (TRANSFER_HASH_MISMATCH). Once per transfer.
 */
import type { Receipt } from '../ledger-store/ledger-appender.js';
import { actorOf, type Caller } from '../rules/caller.js';
import { DomainError } from '../rules/domain-error.js';
import type { Executor } from '../storage/transaction.js';
import { insertAcknowledgement, readHandOver } from '../storage/transfer-repository.js';
import type { AccessSnapshot } from './access-state.js';
import type { LedgerWriter } from './ledger-writer.js';

export class AcknowledgementError extends DomainError<'unknown-transfer' | 'transfer-not-for-you' | 'already-acknowledged'> {}

export interface Acknowledgement {
  readonly matches: boolean;
  readonly receipt: Receipt;
}

export async function acknowledgeTransfer(
  writer: LedgerWriter,
  db: Executor,
  snapshot: AccessSnapshot,
  caller: Caller,
  transferId: string,
  received: { readonly file_sha256: string },
): Promise<Acknowledgement> {
  const transfer = await readHandOver(db, transferId);
  if (transfer === undefined) throw new AcknowledgementError('unknown-transfer', `no transfer ${transferId}`);
  const receiving =
    transfer.recipientUnitId !== null &&
    transfer.recipientUnitId === caller.unit &&
    (transfer.recipientSubject === null
      ? snapshot.index.allows(caller.subject, caller.unit, 'transfer', 'acknowledge')
      : transfer.recipientSubject === caller.subject);
  if (!receiving) {
    throw new AcknowledgementError(
      'transfer-not-for-you',
      transfer.recipientUnitId === null
        ? 'the transfer names no registered receiving unit'
        : `only ${transfer.recipientSubject ?? `unit ${transfer.recipientUnitId}`} acknowledges this transfer`,
    );
  }
  const matches = transfer.fileSha256 === received.file_sha256;
  const receipt = await writer.record(
    {
      kind: 'transfer.acknowledged',
      actor: actorOf(caller),
      payload: {
        transfer_id: transfer.id,
        decision_id: transfer.decisionId,
        transfer_seq: transfer.seq,
        camera_id: transfer.cameraId,
        file_sha256: received.file_sha256,
        registered_sha256: transfer.fileSha256,
        matches,
      },
    },
    async (trx, seq) => {
      const inserted = await insertAcknowledgement(trx, {
        transferId: transfer.id,
        seq,
        unitId: caller.unit,
        subject: caller.subject,
        fileSha256: received.file_sha256,
        matches,
      });
      if (!inserted) throw new AcknowledgementError('already-acknowledged', `transfer ${transfer.id} was acknowledged already`);
    },
    transfer.id,
  );
  return { matches, receipt };
}
