/**
 * POST /v1/decisions/plan: which cameras the caller may access now for one kind of request, and
 * under which of their grants (rules/access-plan.ts). Nothing is recorded: a plan allows nothing,
 * each access is still decided and recorded when it is asked for.
 */
import { type PlannedAccess, type PlanQuestion, planAccess } from '../rules/access-plan.js';
import type { Caller } from '../rules/caller.js';
import { activeGrantsOf, holdOfRequest } from '../storage/access-request-repository.js';
import type { ServiceContext } from './service-context.js';

export async function planFor(
  context: Pick<ServiceContext, 'db' | 'access' | 'profile'>,
  caller: Caller,
  question: PlanQuestion,
  now: Date = new Date(),
): Promise<PlannedAccess[]> {
  const snapshot = context.access.current;
  const grants = await activeGrantsOf(context.db, caller.subject, now);
  const options = await Promise.all(
    grants.map(async (grant) => {
      const hold = await holdOfRequest(context.db, grant.requestId);
      return hold === undefined ? { grant } : { grant, hold };
    }),
  );
  return planAccess(snapshot, context.profile, caller, question, options, now);
}
