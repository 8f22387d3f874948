/**
 * Changing the registry: create, update and deactivate a record. Each change is one `registry.changed`
 * ledger entry with who made it and the record before and after, committed in the same transaction
 * as the row; a record changed by someone else between reading and writing is refused, not
 * overwritten.
 */

import type { Receipt } from '../ledger-store/ledger-appender.js';
import type { Caller } from '../rules/caller.js';
import { actorOf } from '../rules/caller.js';
import { DomainError, type DomainErrorCode } from '../rules/domain-error.js';
import {
  changedRecord,
  newRecord,
  type RegistryRecord,
  type ResourceDescription,
  sameRecord,
  type UnitRecord,
} from '../rules/registry.js';
import { insertRecord, readRecord, updateRecord } from '../storage/registry-repository.js';
import type { Executor } from '../storage/transaction.js';
import type { LedgerWriter } from './ledger-writer.js';

export type RegistryErrorCode = Extract<
  DomainErrorCode,
  'not-found' | 'already-exists' | 'unknown-reference' | 'changed-concurrently'
>;

export class RegistryError extends DomainError<RegistryErrorCode> {}

export type ChangeKind = 'created' | 'updated' | 'deactivated';

export interface RegistryChange {
  readonly record: RegistryRecord;
  readonly change: ChangeKind | 'unchanged';
  readonly receipt: Receipt | undefined;
}

export interface RegistryContext {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  /** Tells every replica (this one included) that access facts changed; called in the transaction. */
  readonly announce: (trx: Executor) => Promise<void>;
  /** The regulation profile's system categories a system's legal basis must be one of. */
  readonly systemCategories: ReadonlySet<string>;
}

/** A system's legal basis is one of the profile's categories. */
function checkCategory(context: RegistryContext, resource: ResourceDescription, record: RegistryRecord): void {
  if (resource.name !== 'systems') return;
  const basis = (record as { legal_basis: string }).legal_basis;
  if (!context.systemCategories.has(basis)) {
    throw new RegistryError(
      'unknown-reference',
      `not a system category of the regulation profile in force (${[...context.systemCategories].join(', ')})`,
      'legal_basis',
    );
  }
}

/** The actor of a change: a caller, or the operator running the import. */
export type Actor = Caller | { readonly subject: string; readonly unit: null };

async function checkReferences(db: Executor, resource: ResourceDescription, record: RegistryRecord): Promise<void> {
  for (const [field, target] of Object.entries(resource.references)) {
    const id = (record as unknown as Record<string, string>)[field] as string;
    const referenced = await readRecord(db, target, id);
    if (referenced === undefined) throw new RegistryError('unknown-reference', `no ${target} record ${id}`, field);
  }
  if (resource.name === 'units') await checkEntrusted(db, record as UnitRecord);
}

/** A unit entrusts only other units registered as entrusted operators. */
async function checkEntrusted(db: Executor, unit: UnitRecord): Promise<void> {
  for (const [index, id] of unit.entrusts.entries()) {
    const field = `entrusts/${index}`;
    if (id === unit.id) throw new RegistryError('unknown-reference', 'a unit cannot entrust itself', field);
    const operator = (await readRecord(db, 'units', id)) as UnitRecord | undefined;
    if (operator === undefined) throw new RegistryError('unknown-reference', `no units record ${id}`, field);
    if (operator.kind !== 'entrusted_operator') {
      throw new RegistryError('unknown-reference', `${id} is not an entrusted operator`, field);
    }
  }
}

async function write(
  context: RegistryContext,
  actor: Actor,
  resource: ResourceDescription,
  change: ChangeKind,
  before: RegistryRecord | undefined,
  after: RegistryRecord,
): Promise<RegistryChange> {
  const payload: Record<string, unknown> = {
    change,
    [resource.entity]: { id: after.id, before: before ?? null, after },
  };
  if (resource.name === 'cameras') payload.camera_id = after.id;
  const receipt = await context.writer.record(
    { kind: 'registry.changed', actor: actorOf(actor), payload },
    async (trx) => {
      const current = await readRecord(trx, resource.name, after.id, { forUpdate: true });
      if (before === undefined) {
        if (current !== undefined) throw new RegistryError('already-exists', `${resource.name} ${after.id} already exists`, 'id');
        await insertRecord(trx, resource.name, after);
      } else {
        if (current === undefined || !sameRecord(current, before)) {
          throw new RegistryError('changed-concurrently', `${resource.name} ${after.id} was changed meanwhile; read it again`);
        }
        await updateRecord(trx, resource.name, after);
      }
      await context.announce(trx);
    },
    `${resource.entity}:${after.id}`,
  );
  return { record: after, change, receipt };
}

export async function createRegistryRecord(
  context: RegistryContext,
  actor: Actor,
  resource: ResourceDescription,
  body: Record<string, unknown>,
): Promise<RegistryChange> {
  const record = newRecord(resource, body);
  if ((await readRecord(context.db, resource.name, record.id)) !== undefined) {
    throw new RegistryError('already-exists', `${resource.name} ${record.id} already exists`, 'id');
  }
  checkCategory(context, resource, record);
  await checkReferences(context.db, resource, record);
  return write(context, actor, resource, 'created', undefined, record);
}

/** Applies a change; a change that alters nothing writes nothing and answers `unchanged`. */
export async function updateRegistryRecord(
  context: RegistryContext,
  actor: Actor,
  resource: ResourceDescription,
  before: RegistryRecord,
  change: Record<string, unknown>,
): Promise<RegistryChange> {
  const after = changedRecord(before, change);
  if (sameRecord(before, after)) return { record: before, change: 'unchanged', receipt: undefined };
  checkCategory(context, resource, after);
  await checkReferences(context.db, resource, after);
  const kind = before.active && !after.active ? 'deactivated' : 'updated';
  return write(context, actor, resource, kind, before, after);
}

export async function requireRecord(db: Executor, resource: ResourceDescription, id: string): Promise<RegistryRecord> {
  const record = await readRecord(db, resource.name, id);
  if (record === undefined) throw new RegistryError('not-found', `no ${resource.name} record ${id}`);
  return record;
}
