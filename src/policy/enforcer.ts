/**
 * The casbin enforcer built from policies/model.conf and policies/policy.csv (the source of truth
 * for what each role may do), plus role assignments (subject, role, unit).
 */
import { type Enforcer, newEnforcer } from 'casbin';
import { packagePath } from '../package-root.js';

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

/** Development mode's subject `admin` of unit `dev` holds every administrative and auditing role. */
export const DEVELOPMENT_ADMIN_ROLES = ['unit_admin', 'approver', 'supervisor', 'auditor', 'oversight', 'gateway'] as const;

export function developmentAdminAssignments(): RoleAssignment[] {
  return DEVELOPMENT_ADMIN_ROLES.map((role) => ({ subject: 'admin', role, unit: 'dev' }));
}

export async function createEnforcer(assignments: readonly RoleAssignment[]): Promise<Enforcer> {
  const enforcer = await newEnforcer(MODEL_FILE, POLICY_FILE);
  if (assignments.length > 0) {
    await enforcer.addNamedGroupingPolicies(
      'g',
      assignments.map((assignment) => [assignment.subject, assignment.role, assignment.unit]),
    );
  }
  return enforcer;
}

export function casbinPolicy(enforcer: Enforcer): Policy {
  return {
    isAllowed: (subject, unit, resource, action) => enforcer.enforce(subject, unit, resource, action),
    rolesOf: async (subject, unit) => (await enforcer.getRolesForUserInDomain(subject, unit)).sort(),
  };
}
