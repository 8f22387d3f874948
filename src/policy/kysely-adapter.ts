/**
 * A casbin adapter over Kysely. The baseline permission lines (p) come from policies/policy.csv and
 * are not stored; role assignments (g: subject, role, unit) live in the `role_assignments` table;
 * camera groups (g2) come from the registry: every active camera is in the group `camera` and in
 * the groups its record names. Only role assignments can be written through the adapter.
 */
import { type Adapter, Helper, type Model } from 'casbin';
import type { Executor } from '../storage/transaction.js';

export class PolicyWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyWriteError';
  }
}

/** The group every registered camera belongs to; policy lines name it to cover all cameras. */
export const ALL_CAMERAS = 'camera';

const ROLE_COLUMNS = ['subject', 'role', 'unit_id'] as const;

function assignment(ptype: string, rule: readonly string[]): { subject: string; role: string; unit_id: string } {
  if (ptype !== 'g' || rule.length !== 3) throw new PolicyWriteError('only role assignments (g: subject, role, unit) are stored');
  const [subject, role, unit] = rule as [string, string, string];
  return { subject, role, unit_id: unit };
}

export class KyselyAdapter implements Adapter {
  constructor(
    private readonly db: Executor,
    /** The text of policies/policy.csv. */
    private readonly baseline: string,
  ) {}

  async loadPolicy(model: Model): Promise<void> {
    for (const line of this.baseline.split('\n')) {
      const trimmed = line.trim();
      if (trimmed !== '' && !trimmed.startsWith('#')) Helper.loadPolicyLine(trimmed, model);
    }
    const assignments = await this.db.selectFrom('role_assignments').select(ROLE_COLUMNS).orderBy('subject').execute();
    for (const row of assignments) model.addPolicy('g', 'g', [row.subject, row.role, row.unit_id]);
    const cameras = await this.db.selectFrom('cameras').select(['id', 'groups']).where('active', '=', true).execute();
    for (const camera of cameras) {
      for (const group of [ALL_CAMERAS, ...camera.groups]) model.addPolicy('g', 'g2', [camera.id, group]);
    }
  }

  /** Replaces every stored role assignment with the model's. */
  async savePolicy(model: Model): Promise<boolean> {
    const rows = model.getPolicy('g', 'g').map((rule) => assignment('g', rule));
    await this.db.deleteFrom('role_assignments').execute();
    if (rows.length > 0) await this.db.insertInto('role_assignments').values(rows).execute();
    return true;
  }

  async addPolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
    await this.db
      .insertInto('role_assignments')
      .values(assignment(ptype, rule))
      .onConflict((conflict) => conflict.doNothing())
      .execute();
  }

  async removePolicy(_sec: string, ptype: string, rule: string[]): Promise<void> {
    const row = assignment(ptype, rule);
    await this.db
      .deleteFrom('role_assignments')
      .where('subject', '=', row.subject)
      .where('role', '=', row.role)
      .where('unit_id', '=', row.unit_id)
      .execute();
  }

  async removeFilteredPolicy(_sec: string, ptype: string, fieldIndex: number, ...fieldValues: string[]): Promise<void> {
    if (ptype !== 'g') throw new PolicyWriteError('only role assignments (g: subject, role, unit) are stored');
    let query = this.db.deleteFrom('role_assignments');
    fieldValues.forEach((value, offset) => {
      const column = ROLE_COLUMNS[fieldIndex + offset];
      if (column === undefined) throw new PolicyWriteError(`a role assignment has no field ${fieldIndex + offset}`);
      if (value !== '') query = query.where(column, '=', value);
    });
    await query.execute();
  }
}
