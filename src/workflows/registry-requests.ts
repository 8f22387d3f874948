/**
 * The registry's use cases as a caller asks them through the API: read (a unit's own records, or
 * every record with registry:read_all), create, change and deactivate (registry:write in the unit
 * owning the record, before and after a move; creating a unit is registry:create_unit; a unit's
 * kind changes only with registry:set_unit_kind; a person is never registered by a unit other than
 * the ones they serve). Every change is applied by this replica before it is answered.
 */

import type { Caller } from '../rules/caller.js';
import { DomainError } from '../rules/domain-error.js';
import type { PersonRecord, RegistryRecord, ResourceDescription, UnitRecord } from '../rules/registry.js';
import { personnelHomeRefusal } from '../rules/unit-scope.js';
import { listRecords, ownerOf } from '../storage/registry-repository.js';
import { announceAccessChange } from './access-state.js';
import {
  createRegistryRecord,
  type RegistryChange,
  type RegistryContext,
  requireRecord,
  updateRegistryRecord,
} from './registry-changes.js';
import type { ServiceContext } from './service-context.js';

export class RegistryAccessError extends DomainError<'registry-not-permitted' | 'unit-kind-locked' | 'person-served-elsewhere'> {}

type Context = Pick<ServiceContext, 'db' | 'writer' | 'access' | 'profile'>;

function allows(context: Context, caller: Caller, unit: string, action: string): boolean {
  return context.access.current.index.allows(caller.subject, unit, 'registry', action);
}

async function requireWrite(context: Context, caller: Caller, resource: ResourceDescription, records: RegistryRecord[]) {
  for (const record of records) {
    const owner = await ownerOf(context.db, resource.name, record);
    // An unknown owner is reported as an unknown reference by the change itself.
    if (owner !== undefined && !allows(context, caller, owner, 'write')) {
      throw new RegistryAccessError('registry-not-permitted', `registry:write is not permitted for this caller in unit ${owner}`);
    }
  }
}

/** A person is registered (or moved) only where they may be: never re-homed from a unit they serve. */
function requireHome(context: Context, resource: ResourceDescription, record: RegistryRecord, before?: RegistryRecord) {
  if (resource.name !== 'personnel') return;
  const unit = (record as PersonRecord).unit_id;
  if (before !== undefined && (before as PersonRecord).unit_id === unit) return;
  const refusal = personnelHomeRefusal(context.access.current, record.id, unit);
  if (refusal !== undefined) throw new RegistryAccessError('person-served-elsewhere', refusal);
}

function changeContext(context: Context): RegistryContext {
  return {
    db: context.db,
    writer: context.writer,
    announce: announceAccessChange,
    systemCategories: new Set(context.profile.systemCategories.keys()),
  };
}

async function applied(context: Context, result: RegistryChange): Promise<RegistryChange> {
  if (result.receipt !== undefined) await context.access.applyCommitted();
  return result;
}

/** The caller's page of records: their unit's, or every unit's with registry:read_all. */
export async function listRegistry(
  context: Context,
  caller: Caller,
  resource: ResourceDescription,
  page: { readonly after?: string; readonly limit: number; readonly active?: boolean },
): Promise<RegistryRecord[]> {
  const all = allows(context, caller, caller.unit, 'read_all');
  return listRecords(context.db, resource.name, { ...page, ...(all ? {} : { units: [caller.unit] }) });
}

/** A record the caller may read; another unit's is answered as absent, so its existence is not shown. */
export async function readRegistry(context: Context, caller: Caller, resource: ResourceDescription, id: string) {
  const record = await requireRecord(context.db, resource, id);
  const readable =
    allows(context, caller, caller.unit, 'read_all') || (await ownerOf(context.db, resource.name, record)) === caller.unit;
  if (!readable) throw new DomainError('not-found', `no ${resource.name} record ${id}`);
  return record;
}

export async function createAs(context: Context, caller: Caller, resource: ResourceDescription, body: Record<string, unknown>) {
  const record = body as unknown as RegistryRecord;
  if (resource.name === 'units') {
    if (!allows(context, caller, caller.unit, 'create_unit')) {
      throw new RegistryAccessError(
        'registry-not-permitted',
        `registry:create_unit is not permitted for this caller in unit ${caller.unit}`,
      );
    }
  } else await requireWrite(context, caller, resource, [record]);
  requireHome(context, resource, record);
  return applied(context, await createRegistryRecord(changeContext(context), caller, resource, body));
}

export async function updateAs(
  context: Context,
  caller: Caller,
  resource: ResourceDescription,
  id: string,
  change: Record<string, unknown>,
) {
  const before = await requireRecord(context.db, resource, id);
  const { kind, ...rest } = change;
  const kindChanges = resource.name === 'units' && kind !== undefined && kind !== (before as UnitRecord).kind;
  // A unit's kind decides which duties and roles apply to it: only the oversight organ changes it.
  if (kindChanges && !allows(context, caller, caller.unit, 'set_unit_kind')) {
    throw new RegistryAccessError('unit-kind-locked', `only the oversight organ changes the kind of unit ${before.id}`);
  }
  const after = { ...before, ...change } as RegistryRecord;
  if (!kindChanges || Object.keys(rest).length > 0) await requireWrite(context, caller, resource, [before, after]);
  requireHome(context, resource, after, before);
  return applied(context, await updateRegistryRecord(changeContext(context), caller, resource, before, change));
}

export async function deactivateAs(context: Context, caller: Caller, resource: ResourceDescription, id: string) {
  const before = await requireRecord(context.db, resource, id);
  await requireWrite(context, caller, resource, [before]);
  return applied(context, await updateRegistryRecord(changeContext(context), caller, resource, before, { active: false }));
}
