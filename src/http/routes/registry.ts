/**
 * The registry's admin API, the same five operations for each resource (units, systems, cameras,
 * personnel): list `{items, next}`, read, create, update (PATCH) and deactivate. Records are never
 * deleted. Writing a record needs registry:write in the unit that owns it (before and after the
 * change); creating a unit needs registry:create_unit. Reading needs registry:read and shows the
 * caller's own unit, or everything with registry:read_all. A caller without registry:read who lists
 * cameras (a state organ's officer, a person in an emergency) gets the camera directory instead:
 * each active camera's id, name, location, unit and system, to say what they ask for; `unit_id`
 * asks the directory for one unit's cameras.
 */
import type { FastifyInstance } from 'fastify';
import { cameraDirectory } from '../../rules/camera-directory.js';
import { createSchema, RESOURCES, type RegistryRecord, updateSchema } from '../../rules/registry.js';
import type { RegistryChange } from '../../workflows/registry-changes.js';
import { createAs, deactivateAs, listRegistry, readRegistry, updateAs } from '../../workflows/registry-requests.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { presentReceipt } from './receipts.js';

function present(change: RegistryChange) {
  return { record: change.record, change: change.change, receipt: change.receipt ? presentReceipt(change.receipt) : null };
}

export async function registryRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  for (const resource of Object.values(RESOURCES)) {
    const base = `/v1/${resource.name}`;
    const params = { type: 'object', required: ['id'], properties: { id: resource.idSchema } };

    const directory = resource.name === 'cameras';
    app.get<{ Querystring: { after?: string; limit: number; active?: boolean; unit_id?: string } }>(
      base,
      {
        ...(directory ? {} : { preHandler: authorize('registry', 'read') }),
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              after: resource.idSchema,
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
              active: { type: 'boolean' },
              ...(directory ? { unit_id: RESOURCES.units.idSchema } : {}),
            },
          },
        },
      },
      async (request) => {
        const { limit, unit_id: unitId, after } = request.query;
        const { subject, unit } = request.caller;
        const reader = context.access.current.index.allows(subject, unit, 'registry', 'read');
        if (directory && (!reader || unitId !== undefined)) {
          const items = cameraDirectory(context.access.current, {
            limit: limit + 1,
            ...(after === undefined ? {} : { after }),
            ...(unitId === undefined ? {} : { unitId }),
          });
          const page = items.slice(0, limit);
          return { items: page, next: items.length > limit ? (page[page.length - 1]?.id ?? null) : null, directory: true };
        }
        const rows = await listRegistry(context, request.caller, resource, { ...request.query, limit: limit + 1 });
        const items = rows.slice(0, limit);
        return { items, next: rows.length > limit ? (items[items.length - 1] as RegistryRecord).id : null };
      },
    );

    app.get<{ Params: { id: string } }>(
      `${base}/:id`,
      { preHandler: authorize('registry', 'read'), schema: { params } },
      async (request) => readRegistry(context, request.caller, resource, request.params.id),
    );

    app.post<{ Body: Record<string, unknown> }>(base, { schema: { body: createSchema(resource) } }, async (request, reply) =>
      reply.code(201).send(present(await createAs(context, request.caller, resource, request.body))),
    );

    app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>(
      `${base}/:id`,
      { schema: { params, body: updateSchema(resource) } },
      async (request) => present(await updateAs(context, request.caller, resource, request.params.id, request.body)),
    );

    app.post<{ Params: { id: string } }>(`${base}/:id/deactivate`, { schema: { params } }, async (request) =>
      present(await deactivateAs(context, request.caller, resource, request.params.id)),
    );
  }
}
