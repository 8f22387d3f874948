/**
 * Who may assign which role, and in which kinds of unit (policies/role-assignments.yaml). Pure: the
 * table is parsed once, and every check is a function of the table, the assignment and what the
 * assigner holds. The same table binds the API (unit kinds, assigners, nobody's own roles) and the
 * import (unit kinds).
 */
import { parse } from 'yaml';
import { UNIT_KINDS, type UnitRecord } from './registry.js';

type UnitKind = UnitRecord['kind'];

export interface RoleGrant {
  readonly unitKinds: ReadonlySet<UnitKind>;
  /** Roles that let their holder assign this one, held in the unit concerned. */
  readonly byUnitRoles: ReadonlySet<string>;
  /** Roles that let their holder assign this one, held in an active oversight unit. */
  readonly byOversightRoles: ReadonlySet<string>;
}

export type RoleGrantTable = ReadonlyMap<string, RoleGrant>;

/** Why an assignment or revocation is refused: a closed set, each answered 403 with its code. */
export const GRANT_REFUSALS = ['own-role', 'role-not-for-unit-kind', 'not-an-assigner'] as const;
export type GrantRefusal = (typeof GRANT_REFUSALS)[number];

export class RoleGrantTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoleGrantTableError';
  }
}

function names(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new RoleGrantTableError(`${where}: expected a list of names`);
  }
  return value as string[];
}

/** Parses the table; every role of the baseline policy needs a row, and no row names another role. */
export function parseRoleGrantTable(text: string, baselineRoles: ReadonlySet<string>): RoleGrantTable {
  const document = parse(text) as { roles?: Record<string, unknown> } | null;
  const rows = document?.roles;
  if (rows === undefined || rows === null || typeof rows !== 'object') throw new RoleGrantTableError('roles: expected a mapping');
  const table = new Map<string, RoleGrant>();
  for (const [role, row] of Object.entries(rows)) {
    if (!baselineRoles.has(role)) throw new RoleGrantTableError(`roles.${role}: the baseline policy defines no such role`);
    const { unit_kinds: kinds, assigned_by: by } = (row ?? {}) as { unit_kinds?: unknown; assigned_by?: Record<string, unknown> };
    const unitKinds = names(kinds, `roles.${role}.unit_kinds`);
    const unknownKind = unitKinds.find((kind) => !(UNIT_KINDS as readonly string[]).includes(kind));
    if (unitKinds.length === 0 || unknownKind !== undefined) {
      throw new RoleGrantTableError(`roles.${role}.unit_kinds: expected kinds among ${UNIT_KINDS.join(', ')}`);
    }
    const byUnit = names(by?.in_unit, `roles.${role}.assigned_by.in_unit`);
    const byOversight = names(by?.in_oversight, `roles.${role}.assigned_by.in_oversight`);
    const unknownAssigner = [...byUnit, ...byOversight].find((name) => !baselineRoles.has(name));
    if (unknownAssigner !== undefined) throw new RoleGrantTableError(`roles.${role}.assigned_by: no role ${unknownAssigner}`);
    if (byUnit.length + byOversight.length === 0) throw new RoleGrantTableError(`roles.${role}.assigned_by: names nobody`);
    table.set(role, {
      unitKinds: new Set(unitKinds as UnitKind[]),
      byUnitRoles: new Set(byUnit),
      byOversightRoles: new Set(byOversight),
    });
  }
  const missing = [...baselineRoles].filter((role) => !table.has(role));
  if (missing.length > 0) throw new RoleGrantTableError(`roles: no row for ${missing.join(', ')}`);
  return table;
}

/** Whether `role` may be held in a unit of `kind` (unknown roles are refused elsewhere). */
export function roleFitsUnit(table: RoleGrantTable, role: string, kind: UnitKind): boolean {
  return table.get(role)?.unitKinds.has(kind) === true;
}

export interface Assigner {
  readonly subject: string;
  /** The roles the assigner holds in the unit the role is assigned in. */
  readonly rolesInUnit: readonly string[];
  /** The roles the assigner holds in active oversight units. */
  readonly rolesInOversight: readonly string[];
}

/**
 * Whether `assigner` may assign (or revoke) `role` for `subject` in a unit of `kind`; undefined when
 * permitted. A revocation is not bound by the unit kind: a role that no longer fits is removable.
 */
export function refusalOf(
  table: RoleGrantTable,
  assigner: Assigner,
  change: { readonly subject: string; readonly role: string; readonly kind: UnitKind; readonly assigning: boolean },
): GrantRefusal | undefined {
  if (change.subject === assigner.subject) return 'own-role';
  const grant = table.get(change.role);
  if (grant === undefined) return 'not-an-assigner';
  if (change.assigning && !grant.unitKinds.has(change.kind)) return 'role-not-for-unit-kind';
  const permitted =
    assigner.rolesInUnit.some((role) => grant.byUnitRoles.has(role)) ||
    assigner.rolesInOversight.some((role) => grant.byOversightRoles.has(role));
  return permitted ? undefined : 'not-an-assigner';
}
