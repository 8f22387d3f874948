/**
 * The registry's admin API, the same five operations for each resource (units, systems, cameras,
 * personnel): list `{items, next}`, read, create, update (PATCH) and deactivate. Records are never
 * deleted. Writing a record needs registry:write in the unit that owns it (before and after the
 * change); creating a unit needs registry:create_unit. Reading needs registry:read and shows the
 * caller's own unit, or everything with registry:read_all.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AccessState, announceAccessChange } from '../../domain/access-state.js';
import type { LedgerWriter } from '../../domain/ledger-writer.js';
import {
  createSchema,
  type PersonRecord,
  RESOURCES,
  type RegistryRecord,
  type ResourceDescription,
  type UnitRecord,
  updateSchema,
} from '../../domain/registry.js';
import {
  createRegistryRecord,
  type RegistryChange,
  type RegistryContext,
  requireRecord,
  updateRegistryRecord,
} from '../../domain/registry-changes.js';
import { personnelHomeRefusal } from '../../domain/unit-scope.js';
import { listRecords, ownerOf } from '../../storage/registry-repository.js';
import type { Executor } from '../../storage/transaction.js';
import { authorize, requirePermission } from '../authorize.js';
import { ProblemError } from '../problem.js';
import { presentReceipt } from './receipts.js';

export interface RegistryRouteOptions {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  readonly access: AccessState;
}

function present(change: RegistryChange) {
  return { record: change.record, change: change.change, receipt: change.receipt ? presentReceipt(change.receipt) : null };
}

export async function registryRoutes(app: FastifyInstance, options: RegistryRouteOptions): Promise<void> {
  const context: RegistryContext = {
    db: options.db,
    writer: options.writer,
    announce: announceAccessChange,
  };

  /** Whether the caller may write a record owned by `unit` (and, on a move, by its new unit). */
  async function guardWrite(request: FastifyRequest, resource: ResourceDescription, records: RegistryRecord[]): Promise<void> {
    for (const record of records) {
      const owner = await ownerOf(options.db, resource.name, record);
      // An unknown owner is reported as an unknown reference by the workflow.
      if (owner !== undefined) await requirePermission(request, owner, 'registry', 'write');
    }
  }

  /** A person is registered (or moved) only where they may be: never re-homed from a unit they serve. */
  function guardHome(resource: ResourceDescription, record: RegistryRecord, before?: RegistryRecord): void {
    if (resource.name !== 'personnel') return;
    const unit = (record as PersonRecord).unit_id;
    if (before !== undefined && (before as PersonRecord).unit_id === unit) return;
    const refusal = personnelHomeRefusal(options.access.current, record.id, unit);
    if (refusal !== undefined) throw new ProblemError('forbidden', refusal);
  }

  async function canRead(request: FastifyRequest, resource: ResourceDescription, record: RegistryRecord): Promise<boolean> {
    const { subject, unit } = request.caller;
    if (await app.policy.isAllowed(subject, unit, 'registry', 'read_all')) return true;
    return (await ownerOf(options.db, resource.name, record)) === unit;
  }

  async function changed(result: RegistryChange): Promise<RegistryChange> {
    if (result.receipt !== undefined) await options.access.applyCommitted();
    return result;
  }

  for (const resource of Object.values(RESOURCES)) {
    const base = `/v1/${resource.name}`;
    const params = { type: 'object', required: ['id'], properties: { id: resource.idSchema } };

    app.get<{ Querystring: { after?: string; limit: number; active?: boolean } }>(
      base,
      {
        preHandler: authorize('registry', 'read'),
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              after: resource.idSchema,
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
              active: { type: 'boolean' },
            },
          },
        },
      },
      async (request) => {
        const { after, limit, active } = request.query;
        const { subject, unit } = request.caller;
        const all = await app.policy.isAllowed(subject, unit, 'registry', 'read_all');
        const rows = await listRecords(options.db, resource.name, {
          limit: limit + 1,
          ...(after === undefined ? {} : { after }),
          ...(active === undefined ? {} : { active }),
          ...(all ? {} : { units: [unit] }),
        });
        const items = rows.slice(0, limit);
        return { items, next: rows.length > limit ? (items[items.length - 1] as RegistryRecord).id : null };
      },
    );

    app.get<{ Params: { id: string } }>(
      `${base}/:id`,
      { preHandler: authorize('registry', 'read'), schema: { params } },
      async (request) => {
        const record = await requireRecord(options.db, resource, request.params.id);
        // Another unit's record is answered as absent, not as forbidden: its existence is not shown.
        if (!(await canRead(request, resource, record))) {
          throw new ProblemError('not-found', `no ${resource.name} record ${request.params.id}`);
        }
        return record;
      },
    );

    app.post<{ Body: Record<string, unknown> }>(base, { schema: { body: createSchema(resource) } }, async (request, reply) => {
      if (resource.name === 'units') await requirePermission(request, request.caller.unit, 'registry', 'create_unit');
      else await guardWrite(request, resource, [request.body as unknown as RegistryRecord]);
      guardHome(resource, request.body as unknown as RegistryRecord);
      const result = await changed(await createRegistryRecord(context, request.caller, resource, request.body));
      return reply.code(201).send(present(result));
    });

    app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>(
      `${base}/:id`,
      { schema: { params, body: updateSchema(resource) } },
      async (request) => {
        const before = await requireRecord(options.db, resource, request.params.id);
        const { kind, ...rest } = request.body;
        const kindChanges = resource.name === 'units' && kind !== undefined && kind !== (before as UnitRecord).kind;
        // A unit's kind decides which duties and roles apply to it: only the oversight organ changes it.
        if (
          kindChanges &&
          !(await app.policy.isAllowed(request.caller.subject, request.caller.unit, 'registry', 'set_unit_kind'))
        ) {
          throw new ProblemError('unit-kind-locked', `only the oversight organ changes the kind of unit ${before.id}`);
        }
        const after = { ...before, ...request.body } as RegistryRecord;
        if (!kindChanges || Object.keys(rest).length > 0) await guardWrite(request, resource, [before, after]);
        guardHome(resource, after, before);
        return present(await changed(await updateRegistryRecord(context, request.caller, resource, before, request.body)));
      },
    );

    app.post<{ Params: { id: string } }>(`${base}/:id/deactivate`, { schema: { params } }, async (request) => {
      const before = await requireRecord(options.db, resource, request.params.id);
      await guardWrite(request, resource, [before]);
      return present(await changed(await updateRegistryRecord(context, request.caller, resource, before, { active: false })));
    });
  }
}
