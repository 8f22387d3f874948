import t from 'tap';
import { createEnforcer, indexOf, indexPolicy } from '../../src/policy/enforcer.js';

t.test('roles hold in the unit where they are assigned, and an explicit deny overrides an allow', async (t) => {
  const enforcer = await createEnforcer();
  await enforcer.addNamedGroupingPolicies('g', [
    ['wang', 'operator', 'district-7'],
    ['chen', 'maintainer', 'district-7'],
    ['chen', 'operator', 'district-7'],
  ]);
  await enforcer.addNamedGroupingPolicies('g2', [['cam-1', 'camera']]);
  const index = await indexOf(enforcer);
  const policy = indexPolicy(() => index);
  t.ok(await policy.isAllowed('wang', 'district-7', 'cam-1', 'playback'));
  t.notOk(await policy.isAllowed('wang', 'district-9', 'cam-1', 'playback'), 'not in another unit');
  t.notOk(await policy.isAllowed('wang', 'district-7', 'cam-1', 'export'), 'operators do not export');
  t.ok(await policy.isAllowed('chen', 'district-7', 'cam-1', 'live'));
  t.notOk(
    await policy.isAllowed('chen', 'district-7', 'cam-1', 'playback'),
    "a maintainer's deny overrides the operator's allow",
  );
  t.same(await policy.rolesOf('chen', 'district-7'), ['maintainer', 'operator']);
  t.same(await policy.rolesOf('nobody', 'district-7'), []);
  for (const request of [
    ['wang', 'district-7', 'cam-1', 'playback'],
    ['chen', 'district-7', 'cam-1', 'playback'],
    ['chen', 'district-7', 'cam-1', 'live'],
  ] as [string, string, string, string][]) {
    t.equal(index.allows(...request), await enforcer.enforce(...request), `index agrees with casbin on ${request.join(' ')}`);
  }
});
