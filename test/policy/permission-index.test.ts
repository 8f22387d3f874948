import { newEnforcer, newModel } from 'casbin';
import fc from 'fast-check';
import t from 'tap';
import { MODEL_FILE } from '../../src/policy/enforcer.js';
import { type GroupLine, PermissionIndex, type PolicyLine, type RoleLine } from '../../src/policy/permission-index.js';

// Small vocabularies make matches, chains, cycles and wildcard collisions frequent.
const names = fc.constantFrom('alice', 'bob', 'operator', 'admin', 'auditor', 'x');
const domains = fc.constantFrom('u1', 'u2', '*');
const objects = fc.constantFrom('cam-1', 'cam-2', 'group-a', 'group-b', 'camera', '*');
const actions = fc.constantFrom('live', 'playback', 'export', '*');
const effects = fc.constantFrom('allow', 'deny');

const policyLine = fc.tuple(names, domains, objects, actions, effects) as fc.Arbitrary<PolicyLine>;
const roleLine = fc.tuple(names, names, domains) as fc.Arbitrary<RoleLine>;
const groupLine = fc.tuple(objects, objects) as fc.Arbitrary<GroupLine>;
const request = fc.tuple(names, domains, objects, actions);

async function casbinFor(policy: readonly PolicyLine[], roles: readonly RoleLine[], groups: readonly GroupLine[]) {
  const { readFile } = await import('node:fs/promises');
  const enforcer = await newEnforcer(newModel(await readFile(MODEL_FILE, 'utf8')));
  if (policy.length > 0) await enforcer.addPolicies(policy.map((line) => [...line]));
  if (roles.length > 0) await enforcer.addNamedGroupingPolicies('g', uniqueLines(roles));
  if (groups.length > 0) await enforcer.addNamedGroupingPolicies('g2', uniqueLines(groups));
  return enforcer;
}

function uniqueLines(lines: readonly (readonly string[])[]): string[][] {
  return [...new Map(lines.map((line) => [line.join('\u0000'), [...line]])).values()];
}

t.test('the index decides exactly as casbin enforce() on random policies and requests', async (t) => {
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(policyLine, { maxLength: 25, selector: (line) => line.join('\u0000') }),
      fc.array(roleLine, { maxLength: 12 }),
      fc.array(groupLine, { maxLength: 8 }),
      fc.array(request, { minLength: 1, maxLength: 30 }),
      async (policy, roles, groups, requests) => {
        const enforcer = await casbinFor(policy, roles, groups);
        const index = new PermissionIndex(policy, roles, groups);
        for (const [subject, domain, object, action] of requests) {
          const expected = await enforcer.enforce(subject, domain, object, action);
          if (index.allows(subject, domain, object, action) !== expected) {
            throw new Error(`index and casbin differ on ${[subject, domain, object, action].join(', ')}: casbin ${expected}`);
          }
        }
      },
    ),
    { numRuns: 400 },
  );
  t.pass('400 random policies agreed on every request');
});

t.test('role chains longer than casbin follows are cut at the same length', async (t) => {
  const chain: RoleLine[] = Array.from({ length: 12 }, (_, i) => [`r${i}`, `r${i + 1}`, 'u1'] as const);
  const policy: PolicyLine[] = [
    ['r10', 'u1', 'camera', 'live', 'allow'],
    ['r11', 'u1', 'camera', 'playback', 'allow'],
  ];
  const enforcer = await casbinFor(policy, chain, []);
  const index = new PermissionIndex(policy, chain, []);
  for (const action of ['live', 'playback']) {
    t.equal(index.allows('r0', 'u1', 'camera', action), await enforcer.enforce('r0', 'u1', 'camera', action), action);
  }
  t.ok(index.allows('r0', 'u1', 'camera', 'live'), 'ten links are followed');
  t.notOk(index.allows('r0', 'u1', 'camera', 'playback'), 'the eleventh is not');
});

t.test('a deny line for a camera group overrides a role-wide allow', async (t) => {
  const index = new PermissionIndex(
    [
      ['operator', '*', 'camera', 'playback', 'allow'],
      ['operator', 'u1', 'restricted', 'playback', 'deny'],
    ],
    [['wang', 'operator', 'u1']],
    [
      ['cam-1', 'camera'],
      ['cam-2', 'camera'],
      ['cam-2', 'restricted'],
    ],
  );
  t.ok(index.allows('wang', 'u1', 'cam-1', 'playback'));
  t.notOk(index.allows('wang', 'u1', 'cam-2', 'playback'));
  t.notOk(index.allows('wang', 'u2', 'cam-1', 'playback'), 'roles hold only in their unit');
  t.same(index.rolesOf('wang', 'u1'), ['wang', 'operator']);
});
