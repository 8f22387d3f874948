/**
 * The transfer register (Article 23(3)): an allowed export's footage is handed over only once it is
 * registered with the reason, the content (camera, window, file hash and size), the transferring
 * unit and person (from the token and the registry) and the receiving unit and person. One transfer
 * per decision; the decision must be an allowed export that has not expired.
 */
import { randomUUID } from 'node:crypto';
import { decodeEntry } from '../ledger/entry.js';
import type { Receipt } from '../ledger-store/ledger-appender.js';
import { listEntries } from '../ledger-store/ledger-repository.js';
import { actorOf, type Caller } from '../rules/caller.js';
import { DomainError, type DomainErrorCode } from '../rules/domain-error.js';
import { windowWithin } from '../rules/time-window.js';
import type { Executor } from '../storage/transaction.js';
import {
  insertTransfer,
  listTransfers,
  type TransferFilter,
  type TransferRow,
  transferOfDecision,
} from '../storage/transfer-repository.js';
import type { AccessSnapshot, AccessState } from './access-state.js';
import type { LedgerWriter } from './ledger-writer.js';

export interface TransferRequest {
  readonly decision_id: string;
  readonly content: {
    readonly camera_id: string;
    readonly window: { readonly from: string; readonly to: string };
    readonly file_sha256: string;
    readonly size_bytes: number;
    readonly description: string;
  };
  readonly recipient: { readonly unit: string; readonly person_name: string };
  readonly reason: string;
}

export type TransferErrorCode = Extract<
  DomainErrorCode,
  'unknown-decision' | 'not-an-allowed-export' | 'decision-expired' | 'decision-used' | 'not-your-decision' | 'content-mismatch'
>;

export class TransferError extends DomainError<TransferErrorCode> {}

interface DecisionPayload {
  decision: string;
  action: string;
  camera_id: string;
  unit_id: string;
  window: { from: string; to: string } | null;
  valid_until: string | null;
  person: { subject: string };
}

export interface Transfer {
  readonly transferId: string;
  readonly receipt: Receipt;
}

async function findDecision(db: Executor, decisionId: string) {
  const [row] = await listEntries(db, { from: 0, limit: 1, kind: 'decision.made', ref: decisionId });
  if (row === undefined) throw new TransferError('unknown-decision', `no decision ${decisionId}`, 'decision_id');
  const entry = decodeEntry(row.canonical);
  return { seq: row.seq, actor: entry.actor, payload: entry.payload as unknown as DecisionPayload };
}

export async function registerTransfer(
  writer: LedgerWriter,
  db: Executor,
  snapshot: AccessSnapshot,
  caller: Caller,
  request: TransferRequest,
  now: Date = new Date(),
): Promise<Transfer> {
  const decision = await findDecision(db, request.decision_id);
  const { payload } = decision;
  if (payload.person.subject !== caller.subject && decision.actor.subject !== caller.subject) {
    throw new TransferError('not-your-decision', 'the decision was made for someone else', 'decision_id');
  }
  if (payload.decision !== 'allow' || payload.action !== 'export') {
    throw new TransferError('not-an-allowed-export', 'the decision is not an allowed export', 'decision_id');
  }
  if (payload.valid_until === null || Date.parse(payload.valid_until) <= now.getTime()) {
    throw new TransferError('decision-expired', `the decision expired at ${payload.valid_until}`, 'decision_id');
  }
  if (request.content.camera_id !== payload.camera_id) {
    throw new TransferError('content-mismatch', `the decision is for camera ${payload.camera_id}`, 'content/camera_id');
  }
  if (payload.window === null || !windowWithin(request.content.window, payload.window)) {
    throw new TransferError('content-mismatch', 'the window must lie inside the decision window', 'content/window');
  }
  const used = await transferOfDecision(db, request.decision_id);
  if (used !== undefined) throw new TransferError('decision-used', `the decision was used by transfer ${used.id}`, 'decision_id');

  const transferId = randomUUID();
  const person = snapshot.personnel.get(caller.subject);
  const receipt = await writer.record(
    {
      kind: 'transfer.registered',
      actor: actorOf(caller),
      payload: {
        transfer_id: transferId,
        decision_id: request.decision_id,
        decision_seq: decision.seq,
        camera_id: payload.camera_id,
        content: request.content,
        transferring: { unit_id: caller.unit, subject: caller.subject, name: person?.name ?? null },
        // The receiving person has no subject id of their own: this transfer names them.
        recipient: { ...request.recipient, subject: `recipient:${transferId}` },
        reason: request.reason,
      },
    },
    async (trx, seq) => {
      const inserted = await insertTransfer(trx, {
        id: transferId,
        decisionId: request.decision_id,
        seq,
        unitId: caller.unit,
        subject: caller.subject,
        cameraId: payload.camera_id,
        recipientUnit: request.recipient.unit,
      });
      if (!inserted) {
        throw new TransferError('decision-used', 'the decision was used by another transfer', 'decision_id');
      }
    },
    transferId,
  );
  return { transferId, receipt };
}

export class TransferReadError extends DomainError<'transfer-read-not-permitted'> {}

/**
 * The register as the caller may read it: one unit's (transfer:read there; the caller's own by
 * default), or every unit's with transfer:read_all (auditors and the oversight organ).
 */
export async function listVisibleTransfers(
  context: { readonly db: Executor; readonly access: AccessState },
  caller: Caller,
  filter: Omit<TransferFilter, 'unitId'> & { readonly unitId?: string },
): Promise<TransferRow[]> {
  const index = context.access.current.index;
  const all = index.allows(caller.subject, caller.unit, 'transfer', 'read_all');
  const scope = filter.unitId ?? (all ? undefined : caller.unit);
  if (!all && !index.allows(caller.subject, scope as string, 'transfer', 'read')) {
    throw new TransferReadError('transfer-read-not-permitted', `transfer:read is not permitted for this caller in unit ${scope}`);
  }
  const { unitId: _unit, ...rest } = filter;
  return listTransfers(context.db, { ...rest, ...(scope === undefined ? {} : { unitId: scope }) });
}
