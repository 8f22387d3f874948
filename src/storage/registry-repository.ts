/**
 * Registry rows: reading and writing records of each resource, and the whole active registry for the
 * access snapshot. Records are the API's shape (rules/registry.ts); only systems store theirs
 * flattened (the filing record as its columns).
 */
import type { CameraRecord, PersonRecord, RegistryRecord, ResourceName, SystemRecord, UnitRecord } from '../rules/registry.js';
import type { Executor } from './transaction.js';

type Row = Record<string, unknown>;

function toRecord(resource: ResourceName, row: Row): RegistryRecord {
  const { updated_at: _updated, ...rest } = row;
  if (resource !== 'systems') return rest as unknown as RegistryRecord;
  const { filing_organ, filing_number, filed_on, filed_cameras, filed_retention_days, ...system } = rest;
  return {
    ...system,
    filing:
      filing_organ === null || filing_number === null || filed_on === null
        ? null
        : {
            organ: filing_organ,
            number: filing_number,
            filed_on,
            ...(filed_cameras === null || filed_cameras === undefined ? {} : { cameras: filed_cameras }),
            ...(filed_retention_days === null || filed_retention_days === undefined
              ? {}
              : { retention_days: filed_retention_days }),
          },
  } as unknown as SystemRecord;
}

function toRow(resource: ResourceName, record: RegistryRecord): Row {
  if (resource !== 'systems') return { ...record } as unknown as Row;
  const { filing, ...rest } = record as SystemRecord;
  return {
    ...rest,
    filing_organ: filing?.organ ?? null,
    filing_number: filing?.number ?? null,
    filed_on: filing?.filed_on ?? null,
    filed_cameras: filing?.cameras ?? null,
    filed_retention_days: filing?.retention_days ?? null,
  };
}

export async function readRecord(
  db: Executor,
  resource: ResourceName,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<RegistryRecord | undefined> {
  let query = db.selectFrom(resource).selectAll().where('id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : toRecord(resource, row as Row);
}

export interface RecordFilter {
  /** Records after this id (the page cursor). */
  readonly after?: string;
  readonly limit: number;
  readonly active?: boolean;
  /** Only records owned by these units (the unit itself, its systems, their cameras, its personnel). */
  readonly units?: readonly string[];
}

export async function listRecords(db: Executor, resource: ResourceName, filter: RecordFilter): Promise<RegistryRecord[]> {
  let query = db.selectFrom(`${resource} as r` as 'units as r').selectAll('r');
  if (filter.after !== undefined) query = query.where('r.id', '>', filter.after);
  if (filter.active !== undefined) query = query.where('r.active', '=', filter.active);
  if (filter.units !== undefined) {
    const units = filter.units.length === 0 ? [''] : [...filter.units];
    if (resource === 'units') query = query.where('r.id', 'in', units);
    else if (resource === 'cameras') {
      query = query.where((eb) =>
        eb(
          eb.ref('r.system_id' as 'r.id'),
          'in',
          eb.selectFrom('systems').select('systems.id').where('systems.unit_id', 'in', units),
        ),
      );
    } else query = query.where('r.unit_id' as 'r.id', 'in', units);
  }
  const rows = await query.orderBy('r.id').limit(filter.limit).execute();
  return rows.map((row) => toRecord(resource, row as Row));
}

export async function insertRecord(trx: Executor, resource: ResourceName, record: RegistryRecord): Promise<void> {
  await trx
    .insertInto(resource)
    .values(toRow(resource, record) as never)
    .execute();
}

export async function updateRecord(trx: Executor, resource: ResourceName, record: RegistryRecord): Promise<void> {
  const { id, ...values } = toRow(resource, record);
  await trx
    .updateTable(resource)
    .set({ ...values, updated_at: new Date() } as never)
    .where('id', '=', id as string)
    .execute();
}

/** The unit that owns a record: a unit owns itself; a camera belongs to its system's unit. */
export async function ownerOf(db: Executor, resource: ResourceName, record: RegistryRecord): Promise<string | undefined> {
  if (resource === 'units') return record.id;
  if (resource === 'cameras') {
    const system = await db
      .selectFrom('systems')
      .select('unit_id')
      .where('id', '=', (record as CameraRecord).system_id)
      .executeTakeFirst();
    return system?.unit_id;
  }
  return (record as SystemRecord | PersonRecord).unit_id;
}

export interface RegistryContents {
  readonly units: UnitRecord[];
  readonly systems: SystemRecord[];
  readonly cameras: CameraRecord[];
  readonly personnel: PersonRecord[];
}

/** Every record, active or not. */
export async function readRegistry(db: Executor): Promise<RegistryContents> {
  const [units, systems, cameras, personnel] = await Promise.all(
    (['units', 'systems', 'cameras', 'personnel'] as const).map(async (resource) =>
      (await db.selectFrom(resource).selectAll().execute()).map((row) => toRecord(resource, row as Row)),
    ),
  );
  return {
    units: units as UnitRecord[],
    systems: systems as SystemRecord[],
    cameras: cameras as CameraRecord[],
    personnel: personnel as PersonRecord[],
  };
}
