/**
 * Assigning and revoking roles (Article 23(2)). Each change is written through the casbin adapter in
 * the transaction that records its `policy.changed` entry and announces it to every replica.
 */

import { KyselyAdapter } from '../policy/kysely-adapter.js';
import type { Receipt } from '../storage/ledger-appender.js';
import type { Executor } from '../storage/transaction.js';
import { announceAccessChange } from './access-state.js';
import type { LedgerWriter } from './ledger-writer.js';
import { ID_PATTERN, SUBJECT_PATTERN } from './registry.js';
import type { Actor } from './registry-changes.js';

export interface Assignment {
  readonly subject: string;
  readonly role: string;
  readonly unit_id: string;
}

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

export class RoleAssignmentError extends Error {
  constructor(
    readonly code: 'unknown-role' | 'unknown-unit' | 'not-assigned',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'RoleAssignmentError';
  }
}

export interface RoleContext {
  readonly db: Executor;
  readonly writer: LedgerWriter;
  /** The roles the baseline policy defines. */
  readonly roles: ReadonlySet<string>;
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

export async function findAssignment(db: Executor, assignment: Assignment): Promise<boolean> {
  const row = await db
    .selectFrom('role_assignments')
    .select('subject')
    .where('subject', '=', assignment.subject)
    .where('role', '=', assignment.role)
    .where('unit_id', '=', assignment.unit_id)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listAssignments(
  db: Executor,
  filter: { unit_id: string; subject?: string; after?: string; limit: number },
): Promise<Assignment[]> {
  let query = db.selectFrom('role_assignments').select(['subject', 'role', 'unit_id']).where('unit_id', '=', filter.unit_id);
  if (filter.subject !== undefined) query = query.where('subject', '=', filter.subject);
  if (filter.after !== undefined) {
    const [subject = '', role = ''] = filter.after.split(',');
    query = query.where((eb) =>
      eb.or([eb('subject', '>', subject), eb.and([eb('subject', '=', subject), eb('role', '>', role)])]),
    );
  }
  return query.orderBy('subject').orderBy('role').limit(filter.limit).execute();
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
  if (!context.roles.has(assignment.role)) {
    throw new RoleAssignmentError('unknown-role', `the policy defines no role ${assignment.role}`, 'role');
  }
  const unit = await context.db.selectFrom('units').select('id').where('id', '=', assignment.unit_id).executeTakeFirst();
  if (unit === undefined && change === 'assigned') {
    throw new RoleAssignmentError('unknown-unit', `no units record ${assignment.unit_id}`, 'unit_id');
  }
  const held = await findAssignment(context.db, assignment);
  if (held === (change === 'assigned')) return undefined;
  const rule = [assignment.subject, assignment.role, assignment.unit_id];
  return context.writer.record(
    { kind: 'policy.changed', actor: { unit: actor.unit, subject: actor.subject }, payload: { change, ...assignment } },
    async (trx) => {
      const adapter = new KyselyAdapter(trx, '');
      if (change === 'assigned') await adapter.addPolicy('g', 'g', rule);
      else await adapter.removePolicy('g', 'g', rule);
      await announceAccessChange(trx);
    },
  );
}
