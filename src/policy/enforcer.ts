/**
 * The casbin enforcer built from policies/model.conf and an adapter (the source of truth for what
 * each role may do and who holds which role), and the permission index built from it that answers
 * every check on the request path.
 */
import { type Adapter, type Enforcer, newEnforcer } from 'casbin';
import { packagePath } from '../package-root.js';
import { type GroupLine, PermissionIndex, type PolicyLine, type RoleLine } from './permission-index.js';

export interface RoleAssignment {
  readonly subject: string;
  readonly role: string;
  readonly unit: string;
}

export interface Policy {
  isAllowed(subject: string, unit: string, resource: string, action: string): Promise<boolean>;
  rolesOf(subject: string, unit: string): Promise<string[]>;
}

export const MODEL_FILE = packagePath('policies', 'model.conf');
export const POLICY_FILE = packagePath('policies', 'policy.csv');

/**
 * Development mode's subject `admin` of unit `dev` (an oversight unit) holds its administrative and
 * auditing roles; roles of a using unit are held only in using units (policies/role-assignments.yaml).
 */
export const DEVELOPMENT_ADMIN_ROLES = ['unit_admin', 'auditor', 'oversight'] as const;

export function developmentAdminAssignments(): RoleAssignment[] {
  return DEVELOPMENT_ADMIN_ROLES.map((role) => ({ subject: 'admin', role, unit: 'dev' }));
}

export function createEnforcer(adapter: Adapter | string = POLICY_FILE): Promise<Enforcer> {
  return newEnforcer(MODEL_FILE, adapter);
}

/** The index of everything the enforcer holds: permission lines, role assignments, camera groups. */
export async function indexOf(enforcer: Enforcer): Promise<PermissionIndex> {
  return new PermissionIndex(
    (await enforcer.getPolicy()) as unknown as PolicyLine[],
    (await enforcer.getNamedGroupingPolicy('g')) as unknown as RoleLine[],
    (await enforcer.getNamedGroupingPolicy('g2')) as unknown as GroupLine[],
  );
}

/** A Policy answering from an index; `rolesOf` lists roles only, not the subject itself. */
export function indexPolicy(current: () => PermissionIndex): Policy {
  return {
    isAllowed: async (subject, unit, resource, action) => current().allows(subject, unit, resource, action),
    rolesOf: async (subject, unit) =>
      current()
        .rolesOf(subject, unit)
        .filter((role) => role !== subject)
        .sort(),
  };
}
