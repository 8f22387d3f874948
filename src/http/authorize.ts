/**
 * The route guard: `preHandler: authorize(resource, action)` answers 403 problem+json unless the
 * policy lets the caller, in the caller's unit, do `action` on `resource`; routes that check in
 * another unit (the one owning a record) call `requirePermission` with it.
 */
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Policy } from '../policy/enforcer.js';
import { ProblemError } from './problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    policy: Policy;
  }
}

/** 403 problem+json unless the policy lets the caller do `action` on `resource` in `unit`. */
export async function requirePermission(request: FastifyRequest, unit: string, resource: string, action: string): Promise<void> {
  if (!(await request.server.policy.isAllowed(request.caller.subject, unit, resource, action))) {
    throw new ProblemError('forbidden', `${resource}:${action} is not permitted for this caller in unit ${unit}`);
  }
}

export function authorize(resource: string, action: string): preHandlerAsyncHookHandler {
  return async function guard(this: unknown, request: FastifyRequest) {
    await requirePermission(request, request.caller.unit, resource, action);
  };
}
