/**
 * Every entry kind the service writes. Each must be classified in policies/personal-fields.yaml
 * (test/rules/personal-fields.test.ts), and the writer refuses a kind that is not.
 */
import { EVENT_KINDS } from './ledger-events.js';

export const SERVICE_ENTRY_KINDS = [
  'ledger.created',
  'key.rotated',
  'ledger.verified',
  'subject.erased',
  'personal_data.disclosed',
  'registry.changed',
  'policy.changed',
  'decision.made',
  'transfer.registered',
  'transfer.acknowledged',
  'access_request.submitted',
  'access_request.approved',
  'access_request.rejected',
  'access_request.withdrawn',
  'grant.revoked',
  'legal_hold.released',
  'gate.refused',
  'policy.loaded',
  'report.issued',
  'reconciliation.completed',
] as const;

/** A kind the service writes. */
export type EntryKind = (typeof SERVICE_ENTRY_KINDS)[number] | keyof typeof EVENT_KINDS;

export function entryKinds(): string[] {
  return [...SERVICE_ENTRY_KINDS, ...Object.keys(EVENT_KINDS)];
}
