import t from 'tap';
import { casbinPolicy, createEnforcer } from '../../src/policy/enforcer.js';

t.test('roles hold in the unit where they are assigned, and an explicit deny overrides an allow', async (t) => {
  const policy = casbinPolicy(
    await createEnforcer([
      { subject: 'wang', role: 'operator', unit: 'district-7' },
      { subject: 'chen', role: 'maintainer', unit: 'district-7' },
      { subject: 'chen', role: 'operator', unit: 'district-7' },
    ]),
  );
  t.ok(await policy.isAllowed('wang', 'district-7', 'camera', 'playback'));
  t.notOk(await policy.isAllowed('wang', 'district-9', 'camera', 'playback'), 'not in another unit');
  t.notOk(await policy.isAllowed('wang', 'district-7', 'camera', 'export'), 'operators do not export');
  t.ok(await policy.isAllowed('chen', 'district-7', 'camera', 'live'));
  t.notOk(
    await policy.isAllowed('chen', 'district-7', 'camera', 'playback'),
    "a maintainer's deny overrides the operator's allow",
  );
  t.same(await policy.rolesOf('chen', 'district-7'), ['maintainer', 'operator']);
  t.same(await policy.rolesOf('nobody', 'district-7'), []);
});
