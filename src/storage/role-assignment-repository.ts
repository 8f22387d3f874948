/** Role assignment rows (subject, role, unit), read for the API and the grant table's checks. */
import type { UnitRecord } from '../rules/registry.js';
import type { Executor } from './transaction.js';

export interface Assignment {
  readonly subject: string;
  readonly role: string;
  readonly unit_id: string;
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

/** The unit and its kind, or undefined when the registry has no such unit. */
export async function unitKindOf(db: Executor, unitId: string): Promise<{ id: string; kind: UnitRecord['kind'] } | undefined> {
  const row = await db.selectFrom('units').select(['id', 'kind']).where('id', '=', unitId).executeTakeFirst();
  return row === undefined ? undefined : { id: row.id, kind: row.kind as UnitRecord['kind'] };
}
