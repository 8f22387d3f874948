/**
 * The one mapper from errors to HTTP: every error becomes RFC 9457 problem+json. A 5xx answer never
 * carries the error's own text; the log carries it, under the request id that `instance` names.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type DomainErrorCode } from '../rules/domain-error.js';
import {
  type FieldError,
  PROBLEM_STATUS,
  PROBLEM_TITLES,
  type Problem,
  type ProblemCode,
  ProblemError,
  problemType,
} from './problem.js';

const FASTIFY_CODES: Readonly<Record<string, ProblemCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-request',
  FST_ERR_BAD_URL: 'invalid-request',
  FST_ERR_ASYNC_CONSTRAINT: 'invalid-request',
};

/** PostgreSQL and socket failures that mean "the database is not there right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  // read_only_sql_transaction: a standby reached instead of the primary (pg-connections.ts)
  '25006',
  // query_canceled: a query past its deadline (pg-connections.ts)
  '57014',
  // too_many_connections
  '53300',
]);

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldErrors(location: string, issues: readonly ValidationIssue[]): FieldError[] {
  return issues.map((issue) => {
    let path = issue.instancePath ?? '';
    const params = issue.params ?? {};
    if (typeof params.missingProperty === 'string') path = `${path}/${params.missingProperty}`;
    if (typeof params.additionalProperty === 'string') {
      return { location, path: `${path}/${params.additionalProperty}`, message: 'is not a known field' };
    }
    return { location, path, message: issue.message ?? 'is not valid' };
  });
}

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|pool (?:has been|is) (?:ended|closed)|Cannot use a pool after calling end|driver has already been destroyed|PGlite is closed/i.test(
    message,
  );
}

interface Classified {
  code: ProblemCode;
  detail: string;
  errors?: readonly FieldError[];
}

/** The problem code of each domain error code: exhaustive, so a new code must be mapped to compile. */
const PROBLEM_OF: Readonly<Record<DomainErrorCode, ProblemCode>> = {
  'not-found': 'not-found',
  'already-exists': 'conflict',
  'unknown-reference': 'invalid-request',
  'changed-concurrently': 'conflict',
  'unknown-role': 'invalid-request',
  'unknown-unit': 'invalid-request',
  'not-assigned': 'not-found',
  'own-role': 'own-role',
  'role-not-for-unit-kind': 'role-not-for-unit-kind',
  'not-an-assigner': 'not-an-assigner',
  'decision-not-permitted': 'forbidden',
  'on-behalf-not-permitted': 'forbidden',
  'unknown-camera': 'not-found',
  'unknown-grant': 'not-found',
  'invalid-window': 'invalid-request',
  'unknown-decision': 'not-found',
  'not-an-allowed-export': 'conflict',
  'decision-expired': 'conflict',
  'decision-used': 'conflict',
  'not-your-decision': 'forbidden',
  'content-mismatch': 'invalid-request',
  'unknown-transfer': 'not-found',
  'transfer-not-for-you': 'forbidden',
  'already-acknowledged': 'conflict',
  invalid: 'invalid-request',
  'grant-not-active': 'conflict',
  'illegal-transition': 'conflict',
  'own-request': 'forbidden',
  'same-approver': 'conflict',
  'not-requester': 'forbidden',
  'personal-data-not-held': 'not-found',
  'sealed-value-unreadable': 'conflict',
  'ledger-unavailable': 'unavailable',
  'ledger-integrity': 'ledger-integrity',
  'not-your-subject': 'forbidden',
  'registry-not-permitted': 'forbidden',
  'unit-kind-locked': 'unit-kind-locked',
  'person-served-elsewhere': 'forbidden',
  'event-out-of-scope': 'forbidden',
  'request-not-permitted': 'forbidden',
  'transfer-read-not-permitted': 'forbidden',
  'webhook-not-permitted': 'forbidden',
};

function classifyDomain(error: DomainError): Classified {
  const code = PROBLEM_OF[error.code];
  // A 5xx never carries the error's own text.
  if (code === 'ledger-integrity') {
    return { code, detail: 'the ledger has stopped until an operator acts; nothing was recorded or allowed' };
  }
  // A commit cut off or past its deadline may still complete on the server: 503 acknowledges nothing.
  if (PROBLEM_STATUS[code] >= 500) return { code, detail: 'the ledger cannot be written; nothing was allowed or acknowledged' };
  if (error.field === undefined) return { code, detail: error.message };
  const path = `/${error.field}`;
  return { code, detail: `body${path}: ${error.message}`, errors: [{ location: 'body', path, message: error.message }] };
}

function classify(error: FastifyError | ProblemError | Error): Classified {
  if (error instanceof ProblemError) return { code: error.code, detail: error.detail, errors: error.errors };
  if (error instanceof DomainError) return classifyDomain(error);
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const location = fastifyError.validationContext ?? 'body';
    const errors = fieldErrors(location, fastifyError.validation as ValidationIssue[]);
    const first = errors[0];
    return { code: 'invalid-request', detail: first ? `${location}${first.path}: ${first.message}` : error.message, errors };
  }
  const mapped = fastifyError.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (mapped !== undefined) return { code: mapped, detail: error.message };
  if (typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_JWT_')) {
    return { code: 'unauthenticated', detail: 'a valid bearer token is required' };
  }
  if (isUnavailable(error))
    return { code: 'unavailable', detail: 'the database is unavailable; nothing was allowed or acknowledged' };
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const known = (Object.keys(PROBLEM_STATUS) as ProblemCode[]).find((code) => PROBLEM_STATUS[code] === status);
    return { code: known ?? 'invalid-request', detail: error.message };
  }
  return { code: 'internal', detail: 'an internal error occurred' };
}

export function problemFor(error: Error, requestId: string): Problem {
  const { code, detail, errors } = classify(error);
  const status = PROBLEM_STATUS[code];
  return {
    type: problemType(code),
    title: PROBLEM_TITLES[code],
    status,
    code,
    // classify() writes every 5xx detail itself, never from the error's own text.
    detail,
    instance: `urn:footage-warden:request:${requestId}`,
    ...(errors === undefined ? {} : { errors }),
  };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.code === 'unauthenticated') reply.header('www-authenticate', 'Bearer');
  return reply.code(problem.status).type('application/problem+json').send(problem);
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = problemFor(error, request.id);
    if (problem.status >= 500) request.log.error({ err: error, code: problem.code }, 'request failed');
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const error = new ProblemError('not-found', `no route ${request.method} ${request.url.split('?')[0]}`);
    return sendProblem(reply, problemFor(error, request.id));
  });
}

export const errors = fp(errorsPlugin, { name: 'errors' });
