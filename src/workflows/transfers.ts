/**
 * The transfer register: an allowed export's footage is handed over only once it is
 * registered with the reason, the content (camera, window, file hash and size), the transferring
 * unit and person (from the token and the registry) and the receiving unit and person. One transfer
 * per decision; the decision must be an allowed export that has not expired. The unit whose camera
 * it is registers it — for its own exports and for those made under a state organ's grant, whose
 * recipient is then the requesting organ and its officer. The receiving side acknowledges receipt
 * (transfer-acknowledgements.ts).
 */
import { randomUUID } from 'node:crypto';
import { decodeEntry } from '../ledger/entry.js';
import type { Receipt } from '../ledger-store/ledger-appender.js';
import { listEntries } from '../ledger-store/ledger-repository.js';
import { actorOf, type Caller } from '../rules/caller.js';
import { DomainError, type DomainErrorCode } from '../rules/domain-error.js';
import { windowWithin } from '../rules/time-window.js';
import { readGrant, readRequest } from '../storage/access-request-repository.js';
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
  readonly recipient: {
    readonly unit: string;
    readonly person_name: string;
    /** The receiving unit when it is in the registry: it can then acknowledge receipt. */
    readonly unit_id?: string;
    /** The receiving person's subject id in that unit, when registered. */
    readonly subject?: string;
  };
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
  grant_id: string | null;
  person: { subject: string };
}

export interface Transfer {
  readonly transferId: string;
  readonly receipt: Receipt;
}

/** Whom an export is handed to: a registered unit (and person) can acknowledge it. */
interface Recipient {
  readonly unitId: string | null;
  readonly subject: string | null;
}

/**
 * An export under a grant goes to the organ that asked for it and its officer; any other to the
 * unit named, which must then be in the registry.
 */
async function recipientOf(
  db: Executor,
  snapshot: AccessSnapshot,
  payload: DecisionPayload,
  named: TransferRequest['recipient'],
): Promise<Recipient> {
  if (named.subject !== undefined && named.unit_id === undefined) {
    throw new TransferError('content-mismatch', 'a recipient subject needs the recipient unit_id', 'recipient/unit_id');
  }
  if (payload.grant_id !== null) {
    const grant = await readGrant(db, payload.grant_id);
    const request = grant === undefined ? undefined : await readRequest(db, grant.requestId);
    if (grant === undefined || request === undefined) {
      throw new TransferError('unknown-decision', `the grant ${payload.grant_id} of the decision is unknown`, 'decision_id');
    }
    if (named.unit_id !== undefined && named.unit_id !== request.requesterUnit) {
      throw new TransferError(
        'content-mismatch',
        `an export under a grant goes to ${request.requesterUnit}`,
        'recipient/unit_id',
      );
    }
    if (named.subject !== undefined && named.subject !== grant.grantee) {
      throw new TransferError('content-mismatch', `an export under a grant goes to its grantee`, 'recipient/subject');
    }
    return { unitId: request.requesterUnit, subject: grant.grantee };
  }
  if (named.unit_id !== undefined && !snapshot.units.has(named.unit_id)) {
    throw new TransferError('content-mismatch', `no unit ${named.unit_id} in the registry`, 'recipient/unit_id');
  }
  return { unitId: named.unit_id ?? null, subject: named.subject ?? null };
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
  if (payload.unit_id !== caller.unit) {
    throw new TransferError('not-your-decision', `the footage is unit ${payload.unit_id}'s to hand over`, 'decision_id');
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
  const recipient = await recipientOf(db, snapshot, payload, request.recipient);

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
        // A receiving person without a subject id of their own is named by this transfer.
        recipient: {
          unit: request.recipient.unit,
          person_name: request.recipient.person_name,
          unit_id: recipient.unitId,
          subject: recipient.subject ?? `recipient:${transferId}`,
        },
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
        personSubject: payload.person.subject,
        grantId: payload.grant_id,
        window: payload.window as { from: string; to: string },
        validUntil: payload.valid_until as string,
        fileSha256: request.content.file_sha256,
        recipientUnitId: recipient.unitId,
        recipientSubject: recipient.subject,
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
 * default), or every unit's with transfer:read_all (auditors and the oversight organ). `received`:
 * the transfers handed to the caller's unit (transfer:acknowledge there).
 */
export async function listVisibleTransfers(
  context: { readonly db: Executor; readonly access: AccessState },
  caller: Caller,
  filter: Omit<TransferFilter, 'unitId' | 'recipientUnitId'> & { readonly unitId?: string; readonly received?: boolean },
): Promise<TransferRow[]> {
  const index = context.access.current.index;
  if (filter.received === true) {
    if (!index.allows(caller.subject, caller.unit, 'transfer', 'acknowledge')) {
      throw new TransferReadError('transfer-read-not-permitted', `transfer:acknowledge is not permitted in unit ${caller.unit}`);
    }
    const { unitId: _unit, received: _received, ...rest } = filter;
    return listTransfers(context.db, { ...rest, recipientUnitId: caller.unit });
  }
  const all = index.allows(caller.subject, caller.unit, 'transfer', 'read_all');
  const scope = filter.unitId ?? (all ? undefined : caller.unit);
  if (!all && !index.allows(caller.subject, scope as string, 'transfer', 'read')) {
    throw new TransferReadError('transfer-read-not-permitted', `transfer:read is not permitted for this caller in unit ${scope}`);
  }
  const { unitId: _unit, received: _received, ...rest } = filter;
  return listTransfers(context.db, { ...rest, ...(scope === undefined ? {} : { unitId: scope }) });
}
