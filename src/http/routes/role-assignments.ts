/**
 * Role assignments (who may act on footage, the authorization duty): list a unit's (role_assignment:read in that unit), assign and
 * revoke (as policies/role-assignments.yaml permits: by role, unit kind, never one's own). Every
 * change is a `policy.changed` entry; this replica applies it before answering, the others within a
 * second (NOTIFY).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ASSIGNMENT_SCHEMA,
  type Assignment,
  changeRoleAs,
  listAssignments,
  type RoleChange,
} from '../../workflows/role-assignments.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { requirePermission } from '../authorize.js';
import { presentReceipt } from './receipts.js';

export async function roleAssignmentRoutes(app: FastifyInstance, service: ServiceContext): Promise<void> {
  const context = service.roles;

  app.get<{ Querystring: { unit_id?: string; subject?: string; after?: string; limit: number } }>(
    '/v1/role-assignments',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            unit_id: ASSIGNMENT_SCHEMA.properties.unit_id,
            subject: ASSIGNMENT_SCHEMA.properties.subject,
            // The cursor: "subject,role" of the last assignment of the previous page.
            after: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127},[a-z][a-z_]{0,63}$' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
      },
    },
    async (request) => {
      const { unit_id = request.caller.unit, limit, ...filter } = request.query;
      await requirePermission(request, unit_id, 'role_assignment', 'read');
      const rows = await listAssignments(context.db, { unit_id, limit: limit + 1, ...filter });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1] as Assignment;
      return { items, next: rows.length > limit ? `${last.subject},${last.role}` : null };
    },
  );

  async function change(request: FastifyRequest, kind: RoleChange, assignment: Assignment) {
    // Who may assign or revoke what, where, is the role grant table's (policies/role-assignments.yaml).
    const receipt = await changeRoleAs(context, service.access.current, request.caller, kind, assignment);
    if (receipt !== undefined) await service.access.applyCommitted();
    return {
      ...assignment,
      change: receipt === undefined ? 'unchanged' : kind,
      receipt: receipt === undefined ? null : presentReceipt(receipt),
    };
  }

  app.post<{ Body: Assignment }>('/v1/role-assignments', { schema: { body: ASSIGNMENT_SCHEMA } }, async (request, reply) => {
    const result = await change(request, 'assigned', request.body);
    return reply.code(result.change === 'unchanged' ? 200 : 201).send(result);
  });

  app.delete<{ Params: Assignment }>(
    '/v1/role-assignments/:unit_id/:subject/:role',
    { schema: { params: { ...ASSIGNMENT_SCHEMA, additionalProperties: true } } },
    async (request) => change(request, 'revoked', request.params),
  );
}
