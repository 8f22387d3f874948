/**
 * The route guard: `preHandler: authorize(resource, action)` answers 403 problem+json unless the
 * policy lets the caller, in the caller's unit, do `action` on `resource`.
 */
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Policy } from '../policy/enforcer.js';
import { ProblemError } from './problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    policy: Policy;
  }
}

export function authorize(resource: string, action: string): preHandlerAsyncHookHandler {
  return async function guard(this: unknown, request: FastifyRequest) {
    const { subject, unit } = request.caller;
    if (!(await request.server.policy.isAllowed(subject, unit, resource, action))) {
      throw new ProblemError('forbidden', `${resource}:${action} is not permitted for this caller in unit ${unit}`);
    }
  };
}
