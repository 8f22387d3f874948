/**
 * Which access requests a caller sees: the ones they submitted, and, with access_request:read in
 * their unit, the ones their unit submitted or is addressed by. Anything else is answered as absent.
 */

import type { RequestRow } from '../rules/access-request-records.js';
import type { Caller } from '../rules/caller.js';
import { DomainError } from '../rules/domain-error.js';
import { listRequests, readRequest } from '../storage/access-request-repository.js';
import type { ServiceContext } from './service-context.js';

type Context = Pick<ServiceContext, 'db' | 'access'>;

function readsInUnit(context: Context, caller: Caller): boolean {
  return context.access.current.index.allows(caller.subject, caller.unit, 'access_request', 'read');
}

/** The request, if visible to the caller; otherwise `not-found`, as if it did not exist. */
export async function visibleRequest(context: Context, caller: Caller, id: string): Promise<RequestRow> {
  const found = await readRequest(context.db, id);
  if (found !== undefined && found.requester === caller.subject) return found;
  const ours = found !== undefined && (found.requesterUnit === caller.unit || found.targetUnit === caller.unit);
  if (found === undefined || !ours || !readsInUnit(context, caller))
    throw new DomainError('not-found', `no access request ${id}`);
  return found;
}

export interface RequestPage {
  readonly status?: string;
  /** The HMAC of a case number (access-request-submission.ts, caseToken). */
  readonly caseNo?: string;
  /** The id of the last request of the previous page. */
  readonly before?: string;
  readonly limit: number;
}

/** A page of the requests visible to the caller, newest first, and whether more follow. */
export async function listVisibleRequests(
  context: Context,
  caller: Caller,
  page: RequestPage,
): Promise<{ readonly rows: RequestRow[]; readonly more: boolean }> {
  const cursor = page.before === undefined ? undefined : await visibleRequest(context, caller, page.before);
  const filter = {
    limit: page.limit + 1,
    ...(page.status === undefined ? {} : { status: page.status }),
    ...(page.caseNo === undefined ? {} : { caseNo: page.caseNo }),
    ...(cursor === undefined ? {} : { before: { createdAt: cursor.createdAt, id: cursor.id } }),
  };
  // The requests addressed to the unit and those it submitted; without access_request:read in the
  // unit, the requests the caller submitted.
  const [addressed, submitted] = readsInUnit(context, caller)
    ? await Promise.all([
        listRequests(context.db, { ...filter, targetUnit: caller.unit }),
        listRequests(context.db, { ...filter, requesterUnit: caller.unit }),
      ])
    : [[], await listRequests(context.db, { ...filter, requester: caller.subject })];
  const merged = [...new Map([...addressed, ...submitted].map((row) => [row.id, row])).values()].sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
  );
  return { rows: merged.slice(0, page.limit), more: merged.length > page.limit };
}

export class RequestAccessError extends DomainError<'request-not-permitted'> {}

/** Refuses a caller without `action` on access requests in `unit` (403, naming the permission). */
export function requireRequestPermission(context: Context, caller: Caller, unit: string, action: 'submit' | 'decide'): void {
  const allowed = caller.unit === unit && context.access.current.index.allows(caller.subject, unit, 'access_request', action);
  if (!allowed) {
    const who = action === 'submit' ? ' (a state organ officer)' : '';
    throw new RequestAccessError(
      'request-not-permitted',
      `access_request:${action}${who} is not permitted for this caller in unit ${unit}`,
    );
  }
}
