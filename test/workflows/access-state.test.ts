import { readFile } from 'node:fs/promises';
import t from 'tap';
import { POLICY_FILE } from '../../src/policy/enforcer.js';
import { AccessState } from '../../src/workflows/access-state.js';
import { openTestDatabase } from '../helpers/database.js';

t.test('a re-read that fails after a committed change is reported, not thrown, and the old snapshot stays', async (t) => {
  const database = await openTestDatabase();
  const errors: unknown[] = [];
  const state = await AccessState.open(database.handle, await readFile(POLICY_FILE, 'utf8'), (error) => errors.push(error));
  const before = state.current;
  t.ok(await state.policy.isAllowed('x', 'u', 'nothing', 'read').then(() => true), 'answers from the first snapshot');
  await state.close();
  await database.close();
  await t.resolves(state.applyCommitted(), 'the caller of a committed change is not failed');
  t.equal(errors.length, 1, 'the failure goes to the error handler');
  t.equal(state.current, before, 'the previous snapshot is kept');
});
