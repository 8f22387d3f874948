/**
 * Assigning and revoking roles. Each change is written through the casbin adapter in
 * the transaction that records its `policy.changed` entry and announces it to every replica.
 */

import type { Receipt } from '../ledger-store/ledger-appender.js';
import { KyselyAdapter } from '../policy/kysely-adapter.js';
import type { Caller } from '../rules/caller.js';
import { actorOf } from '../rules/caller.js';
import { DomainError, type DomainErrorCode } from '../rules/domain-error.js';
import { ID_PATTERN, SUBJECT_PATTERN } from '../rules/registry.js';
import { type GrantRefusal, type RoleGrantTable, refusalOf, roleFitsUnit } from '../rules/role-grants.js';
import { type Assignment, findAssignment, unitKindOf } from '../storage/role-assignment-repository.js';
import type { Executor } from '../storage/transaction.js';

export { listAssignments } from '../storage/role-assignment-repository.js';

import { type AccessSnapshot, announceAccessChange } from './access-state.js';
import type { LedgerWriter } from './ledger-writer.js';
import type { Actor } from './registry-changes.js';

export type { Assignment } from '../storage/role-assignment-repository.js';

/** An assignment as the API and the import take it. */
export const ASSIGNMENT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['subject', 'role', 'unit_id'],
  properties: {
    subject: { type: 'string', pattern: SUBJECT_PATTERN },
    role: { type: 'string', pattern: '^[a-z][a-z_]{0,63}$' },
    unit_id: { type: 'string', pattern: ID_PATTERN },
  },
} as const;

export type RoleChange = 'assigned' | 'revoked';

export class RoleAssignmentError extends DomainError<
  Extract<DomainErrorCode, 'unknown-role' | 'unknown-unit' | 'not-assigned' | GrantRefusal>
> {}

export interface RoleContext {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  /** The roles the baseline policy defines. */
  readonly roles: ReadonlySet<string>;
  /** Who may assign which role in which kinds of unit (policies/role-assignments.yaml). */
  readonly grants: RoleGrantTable;
}

/** The roles named as subjects of the baseline's permission lines. */
export function baselineRoles(policyText: string): Set<string> {
  const roles = new Set<string>();
  for (const line of policyText.split('\n')) {
    const fields = line.split(',').map((field) => field.trim());
    if (fields[0] === 'p' && fields[1] !== undefined) roles.add(fields[1]);
  }
  return roles;
}

/** Refuses a role the baseline does not define, or an assignment in a unit the registry lacks. */
function requireKnown(context: RoleContext, change: RoleChange, assignment: Assignment, unitKnown: boolean): void {
  if (!context.roles.has(assignment.role)) {
    throw new RoleAssignmentError('unknown-role', `the policy defines no role ${assignment.role}`, 'role');
  }
  if (!unitKnown && change === 'assigned') {
    throw new RoleAssignmentError('unknown-unit', `no units record ${assignment.unit_id}`, 'unit_id');
  }
}

/**
 * Assigns or revokes; assigning a held role or revoking one not held changes nothing and records
 * nothing (undefined receipt).
 */
export async function changeRole(
  context: RoleContext,
  actor: Actor,
  change: RoleChange,
  assignment: Assignment,
): Promise<Receipt | undefined> {
  const unit = await unitKindOf(context.db, assignment.unit_id);
  requireKnown(context, change, assignment, unit !== undefined);
  if (unit !== undefined && change === 'assigned' && !roleFitsUnit(context.grants, assignment.role, unit.kind)) {
    throw new RoleAssignmentError(
      'role-not-for-unit-kind',
      `the role ${assignment.role} may not be held in a unit of kind ${unit.kind}`,
      'role',
    );
  }
  const held = await findAssignment(context.db, assignment);
  if (held === (change === 'assigned')) return undefined;
  const rule = [assignment.subject, assignment.role, assignment.unit_id];
  return context.writer.record(
    { kind: 'policy.changed', actor: actorOf(actor), payload: { change, ...assignment } },
    async (trx) => {
      const adapter = new KyselyAdapter(trx, '');
      if (change === 'assigned') await adapter.addPolicy('g', 'g', rule);
      else await adapter.removePolicy('g', 'g', rule);
      await announceAccessChange(trx);
    },
  );
}

const REFUSAL_TEXT: Readonly<Record<GrantRefusal, string>> = {
  'own-role': 'nobody assigns or revokes their own roles',
  'role-not-for-unit-kind': 'the role may not be held in a unit of this kind',
  'not-an-assigner': 'the caller holds no role that may assign or revoke this role in this unit',
};

/**
 * A caller's assignment or revocation through the API: permitted by the role grant table for what
 * the caller holds in the unit concerned and in the oversight organ, never of the caller's own
 * roles; then changed as `changeRole` does.
 */
export async function changeRoleAs(
  context: RoleContext,
  snapshot: AccessSnapshot,
  caller: Caller,
  change: RoleChange,
  assignment: Assignment,
): Promise<Receipt | undefined> {
  const unit = snapshot.units.get(assignment.unit_id);
  requireKnown(context, change, assignment, unit !== undefined);
  const rolesIn = (unitId: string) => snapshot.index.rolesOf(caller.subject, unitId).filter((role) => role !== caller.subject);
  const oversightUnits = [...snapshot.units.values()].filter((item) => item.kind === 'oversight' && item.active);
  const refusal = refusalOf(
    context.grants,
    {
      subject: caller.subject,
      rolesInUnit: rolesIn(assignment.unit_id),
      rolesInOversight: oversightUnits.flatMap((item) => rolesIn(item.id)),
    },
    {
      subject: assignment.subject,
      role: assignment.role,
      kind: unit?.kind ?? 'using_unit',
      assigning: change === 'assigned' && unit !== undefined,
    },
  );
  if (refusal !== undefined) throw new RoleAssignmentError(refusal, REFUSAL_TEXT[refusal]);
  return changeRole(context, caller, change, assignment);
}
