/**
 * The registry's records as the API and the ledger see them (the duties of the regulation profile in force): units,
 * the systems they own, the cameras of each system, and the personnel of each unit. Each resource
 * is described once here — its JSON Schema, its columns and which unit owns a record — and the
 * workflow, the routes and the import read the descriptions.
 */

export const UNIT_KINDS = ['using_unit', 'state_organ', 'entrusted_operator', 'oversight'] as const;

export interface UnitRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: (typeof UNIT_KINDS)[number];
  /**
   * The entrusted operators this unit has entrusted with building, running or
   * maintaining its systems. Their personnel and gateways act for this unit; nobody else's do.
   */
  readonly entrusts: readonly string[];
  readonly active: boolean;
}

export interface SystemRecord {
  readonly id: string;
  readonly unit_id: string;
  readonly name: string;
  /** The category of legal basis the system was built on: one of the profile's `system_categories`. */
  readonly legal_basis: string;
  readonly went_live_on: string;
  /**
   * The filing with the public security organ, or null while not filed; with the filed number of
   * cameras and storage period when recorded, so that a change of them shows as due for re-filing.
   */
  readonly filing: {
    readonly organ: string;
    readonly number: string;
    readonly filed_on: string;
    readonly cameras?: number;
    readonly retention_days?: number;
  } | null;
  /** Signs announce the cameras. */
  readonly signage: boolean;
  /** How long footage is kept. */
  readonly retention_days: number;
  readonly active: boolean;
}

export interface CameraRecord {
  readonly id: string;
  readonly system_id: string;
  readonly name: string;
  readonly location: string;
  /** Public classes, or one of the profile's prohibited classes. */
  readonly location_class: string;
  readonly near_military_area: boolean;
  /** The site organ's recorded opinion or consent, required near a military or classified site. */
  readonly site_consent_ref: string | null;
  /** Camera groups that policy lines may name (casbin g2). */
  readonly groups: readonly string[];
  readonly active: boolean;
}

export interface PersonRecord {
  /** The subject their tokens carry. */
  readonly id: string;
  readonly unit_id: string;
  /** Personal data: sealed in the ledger, erased with the subject. */
  readonly name: string | null;
  readonly position: string;
  readonly training_valid_until: string | null;
  readonly confidentiality_signed_on: string | null;
  readonly active: boolean;
}

export type RegistryRecord = UnitRecord | SystemRecord | CameraRecord | PersonRecord;
export type ResourceName = 'units' | 'systems' | 'cameras' | 'personnel';
/** The key of a record in a `registry.changed` payload. */
export type EntityName = 'unit' | 'system' | 'camera' | 'person';

export const ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
export const SUBJECT_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@:+-]{0,127}$';

const ID = { type: 'string', pattern: ID_PATTERN } as const;
const TEXT = { type: 'string', minLength: 1, maxLength: 256 } as const;
const DATE = { type: 'string', format: 'date' } as const;
const NULLABLE_DATE = { anyOf: [DATE, { type: 'null' }] } as const;
const LOCATION_CLASS = { type: 'string', pattern: '^[a-z][a-z_]{0,63}$' } as const;

export interface ResourceDescription {
  readonly name: ResourceName;
  readonly entity: EntityName;
  /** Members of a record besides `id` and `active`, as JSON Schema properties. */
  readonly properties: Readonly<Record<string, object>>;
  /** Members a new record must carry. */
  readonly required: readonly string[];
  /** Defaults of a new record's optional members. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Members that name another record, and the resource they name. */
  readonly references: Readonly<Record<string, ResourceName>>;
  readonly idSchema: object;
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceDescription>> = {
  units: {
    name: 'units',
    entity: 'unit',
    properties: {
      name: TEXT,
      kind: { enum: [...UNIT_KINDS] },
      entrusts: { type: 'array', maxItems: 64, uniqueItems: true, items: ID },
    },
    required: ['name', 'kind'],
    defaults: { entrusts: [] },
    references: {},
    idSchema: ID,
  },
  systems: {
    name: 'systems',
    entity: 'system',
    properties: {
      unit_id: ID,
      name: TEXT,
      legal_basis: { type: 'string', pattern: '^[a-z][a-z_]{0,63}$' },
      went_live_on: DATE,
      filing: {
        anyOf: [
          {
            type: 'object',
            additionalProperties: false,
            required: ['organ', 'number', 'filed_on'],
            properties: {
              organ: TEXT,
              number: TEXT,
              filed_on: DATE,
              cameras: { type: 'integer', minimum: 0, maximum: 1_000_000 },
              retention_days: { type: 'integer', minimum: 1, maximum: 3650 },
            },
          },
          { type: 'null' },
        ],
      },
      signage: { type: 'boolean' },
      retention_days: { type: 'integer', minimum: 1, maximum: 3650 },
    },
    required: ['unit_id', 'name', 'legal_basis', 'went_live_on', 'signage'],
    defaults: { filing: null, retention_days: 30 },
    references: { unit_id: 'units' },
    idSchema: ID,
  },
  cameras: {
    name: 'cameras',
    entity: 'camera',
    properties: {
      system_id: ID,
      name: TEXT,
      location: TEXT,
      location_class: LOCATION_CLASS,
      near_military_area: { type: 'boolean' },
      site_consent_ref: { type: ['string', 'null'], minLength: 1, maxLength: 256, pattern: '\\S' },
      groups: { type: 'array', maxItems: 32, uniqueItems: true, items: ID },
    },
    required: ['system_id', 'name', 'location', 'location_class'],
    defaults: { near_military_area: false, site_consent_ref: null, groups: [] },
    references: { system_id: 'systems' },
    idSchema: ID,
  },
  personnel: {
    name: 'personnel',
    entity: 'person',
    properties: {
      unit_id: ID,
      name: { anyOf: [TEXT, { type: 'null' }] },
      position: TEXT,
      training_valid_until: NULLABLE_DATE,
      confidentiality_signed_on: NULLABLE_DATE,
    },
    required: ['unit_id', 'name', 'position'],
    defaults: { training_valid_until: null, confidentiality_signed_on: null },
    references: { unit_id: 'units' },
    idSchema: { type: 'string', pattern: SUBJECT_PATTERN },
  },
};

/** JSON Schema of a new record. */
export function createSchema(resource: ResourceDescription): object {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['id', ...resource.required],
    properties: { id: resource.idSchema, ...resource.properties, active: { type: 'boolean' } },
  };
}

/** JSON Schema of a change: any members but the id; at least one. */
export function updateSchema(resource: ResourceDescription): object {
  return {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: { ...resource.properties, active: { type: 'boolean' } },
  };
}

/** A new record with its defaults filled in. */
export function newRecord(resource: ResourceDescription, body: Record<string, unknown>): RegistryRecord {
  return { active: true, ...resource.defaults, ...body } as unknown as RegistryRecord;
}

/** The record after a change. */
export function changedRecord(before: RegistryRecord, change: Record<string, unknown>): RegistryRecord {
  return { ...before, ...change } as RegistryRecord;
}

/** Whether two records hold the same values (members compared as JSON). */
export function sameRecord(a: RegistryRecord, b: RegistryRecord): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every(
    (key) =>
      JSON.stringify((a as unknown as Record<string, unknown>)[key]) ===
      JSON.stringify((b as unknown as Record<string, unknown>)[key]),
  );
}
