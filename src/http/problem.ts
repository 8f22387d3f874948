/**
 * RFC 9457 problem details. The codes are a closed set; every error the service answers with is one
 * of them, and `problemFor` in errors.ts is the one place that maps errors to them.
 */
export const PROBLEM_STATUS = {
  'invalid-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'own-role': 403,
  'role-not-for-unit-kind': 403,
  'not-an-assigner': 403,
  'unit-kind-locked': 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'too-many-requests': 429,
  internal: 500,
  unavailable: 503,
  'ledger-integrity': 503,
} as const;

export type ProblemCode = keyof typeof PROBLEM_STATUS;

export const PROBLEM_TITLES: Readonly<Record<ProblemCode, string>> = {
  'invalid-request': 'The request is not valid',
  unauthenticated: 'Authentication is required',
  forbidden: 'Not permitted',
  'own-role': 'Nobody assigns or revokes their own roles',
  'role-not-for-unit-kind': 'The role may not be held in this kind of unit',
  'not-an-assigner': 'The caller may not assign or revoke this role here',
  'unit-kind-locked': "Only the oversight organ changes a unit's kind",
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  conflict: 'Conflict with the current state',
  'payload-too-large': 'The request body is too large',
  'unsupported-media-type': 'Unsupported media type',
  'too-many-requests': 'Too many requests',
  internal: 'Internal error',
  unavailable: 'Service unavailable',
  'ledger-integrity': 'The ledger stopped: its stored history contradicts a checkpoint it is bound to',
};

/** One invalid field: `location` is body, query, params or headers; `path` a JSON pointer into it. */
export interface FieldError {
  readonly location: string;
  readonly path: string;
  readonly message: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ProblemCode;
  readonly detail: string;
  readonly instance: string;
  readonly errors?: readonly FieldError[];
}

export function problemType(code: ProblemCode): string {
  return `urn:footage-warden:problem:${code}`;
}

/** An error meant for the caller: its detail is shown as written. */
export class ProblemError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly errors?: readonly FieldError[],
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export function invalidField(location: string, path: string, message: string): ProblemError {
  return new ProblemError('invalid-request', `${location}${path}: ${message}`, [{ location, path, message }]);
}
