/**
 * Bulk loading of the registry from a YAML or JSON document (`footage-warden import FILE`, and the
 * example registry loaded in development). Idempotent: a record that is absent is created, one that
 * differs is updated, one that is equal is left alone, so loading the same file twice writes
 * nothing the second time. Every record is checked before anything is written.
 */
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { createSchema, RESOURCES, type ResourceName } from '../rules/registry.js';
import { readRecord } from '../storage/registry-repository.js';
import type { Actor } from './registry-changes.js';
import { createRegistryRecord, type RegistryContext, updateRegistryRecord } from './registry-changes.js';
import { ASSIGNMENT_SCHEMA, type Assignment, changeRole, type RoleContext } from './role-assignments.js';

/** Resources in the order their references need. */
const ORDER: readonly ResourceName[] = ['units', 'systems', 'cameras', 'personnel'];

export interface RegistryDocument {
  readonly units?: readonly Record<string, unknown>[];
  readonly systems?: readonly Record<string, unknown>[];
  readonly cameras?: readonly Record<string, unknown>[];
  readonly personnel?: readonly Record<string, unknown>[];
  readonly role_assignments?: readonly Assignment[];
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ImportSummary {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** Parses and checks a document (YAML is a superset of JSON, so one parser reads both). */
export function parseRegistryDocument(text: string): RegistryDocument {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new ImportError(`not YAML or JSON: ${(error as Error).message}`);
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ImportError('expected a mapping with units, systems, cameras, personnel and role_assignments');
  }
  const known = new Set<string>([...ORDER, 'role_assignments']);
  const unknown = Object.keys(document).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new ImportError(`unknown sections: ${unknown.join(', ')}`);
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormats.default(ajv);
  const sections: [string, object][] = [
    ...ORDER.map((name): [string, object] => [name, createSchema(RESOURCES[name])]),
    ['role_assignments', ASSIGNMENT_SCHEMA],
  ];
  for (const [section, schema] of sections) {
    const items = (document as Record<string, unknown>)[section];
    if (items === undefined) continue;
    if (!Array.isArray(items)) throw new ImportError(`${section}: expected a list`);
    const validate = ajv.compile(schema);
    items.forEach((item, i) => {
      if (!validate(item)) {
        const error = validate.errors?.[0];
        const where = `${error?.instancePath ?? ''}${typeof error?.params.missingProperty === 'string' ? `/${error.params.missingProperty}` : ''}${typeof error?.params.additionalProperty === 'string' ? `/${error.params.additionalProperty}` : ''}`;
        throw new ImportError(`${section}[${i}]${where}: ${error?.message ?? 'is not valid'}`);
      }
    });
  }
  return document as RegistryDocument;
}

/** Units that entrust others come after the units they name (entrusted operators entrust nobody). */
function inReferenceOrder(name: ResourceName, records: readonly Record<string, unknown>[]): readonly Record<string, unknown>[] {
  if (name !== 'units') return records;
  const entrusting = (record: Record<string, unknown>) => (Array.isArray(record.entrusts) && record.entrusts.length > 0 ? 1 : 0);
  return [...records].sort((a, b) => entrusting(a) - entrusting(b));
}

/** Applies a document record by record; each change is its own ledger entry. */
export async function importRegistry(
  registry: RegistryContext,
  roles: RoleContext,
  actor: Actor,
  document: RegistryDocument,
): Promise<ImportSummary> {
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  for (const name of ORDER) {
    const resource = RESOURCES[name];
    for (const body of inReferenceOrder(name, document[name] ?? [])) {
      const existing = await readRecord(registry.db, name, body.id as string);
      if (existing === undefined) {
        await createRegistryRecord(registry, actor, resource, body);
        created++;
        continue;
      }
      const { id: _id, ...change } = body;
      const result = await updateRegistryRecord(registry, actor, resource, existing, change);
      if (result.change === 'unchanged') unchanged++;
      else updated++;
    }
  }
  for (const assignment of document.role_assignments ?? []) {
    const receipt = await changeRole(roles, actor, 'assigned', assignment);
    if (receipt === undefined) unchanged++;
    else created++;
  }
  return { created, updated, unchanged };
}
