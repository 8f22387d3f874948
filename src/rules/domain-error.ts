/**
 * The one error type of the service's own refusals, below HTTP: a code from one closed set, a
 * message for the caller, and the request member it is about, if any. Each layer throws it (or a
 * subclass that narrows the codes it may carry); http/errors.ts maps every code to a problem type
 * through an exhaustive table, so a new code does not compile until it is mapped.
 */
export const DOMAIN_ERROR_CODES = [
  // the registry
  'not-found',
  'already-exists',
  'unknown-reference',
  'changed-concurrently',
  // role assignments
  'unknown-role',
  'unknown-unit',
  'not-assigned',
  'own-role',
  'role-not-for-unit-kind',
  'not-an-assigner',
  // decisions
  'decision-not-permitted',
  'on-behalf-not-permitted',
  'unknown-camera',
  'unknown-grant',
  'invalid-window',
  // transfers
  'unknown-decision',
  'not-an-allowed-export',
  'decision-expired',
  'decision-used',
  'not-your-decision',
  'content-mismatch',
  'unknown-transfer',
  'transfer-not-for-you',
  'already-acknowledged',
  // access requests, grants and holds
  'invalid',
  'grant-not-active',
  'illegal-transition',
  'own-request',
  'same-approver',
  'not-requester',
  // the personal-data vault and the ledger
  'personal-data-not-held',
  'sealed-value-unreadable',
  'ledger-unavailable',
  'ledger-integrity',
  // scope
  'not-your-subject',
  'registry-not-permitted',
  'unit-kind-locked',
  'person-served-elsewhere',
  'event-out-of-scope',
  'request-not-permitted',
  'transfer-read-not-permitted',
  'webhook-not-permitted',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError<Code extends DomainErrorCode = DomainErrorCode> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    /** The member of the request the error is about, as a path below the body (e.g. `window/to`). */
    readonly field?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
