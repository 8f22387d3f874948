import { Writable } from 'node:stream';
import t from 'tap';
import { composeService } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { openPostgresDatabase } from '../../src/storage/database.js';
import { startTestService } from '../helpers/service.js';

t.test('role assignments change through the API, each a policy.changed entry, and apply at once', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp({
    units: [{ id: 'east-psb', name: 'East', kind: 'using_unit' }],
    role_assignments: [{ subject: 'admin', role: 'unit_admin', unit_id: 'east-psb' }],
  });
  const { app } = service.service;
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  const ma = { authorization: `Bearer ${await service.token('op-ma', 'east-psb')}` };
  const assignment = { subject: 'op-ma', role: 'operator', unit_id: 'east-psb' };

  t.same((await app.inject({ method: 'GET', url: '/v1/me', headers: ma })).json().roles, []);
  const assigned = await app.inject({ method: 'POST', url: '/v1/role-assignments', headers: admin, payload: assignment });
  t.equal(assigned.statusCode, 201);
  t.match(assigned.json(), { ...assignment, change: 'assigned', receipt: { seq: Number } });
  t.same(
    (await app.inject({ method: 'GET', url: '/v1/me', headers: ma })).json().roles,
    ['operator'],
    'applied before the answer',
  );
  const entry = (
    await app.inject({ method: 'GET', url: `/v1/ledger/entries/${assigned.json().receipt.seq}`, headers: admin })
  ).json();
  t.match(entry.entry, {
    kind: 'policy.changed',
    actor: { subject: 'admin', unit: 'dev' },
    payload: { change: 'assigned', ...assignment },
  });
  const again = await app.inject({ method: 'POST', url: '/v1/role-assignments', headers: admin, payload: assignment });
  t.match(again.json(), { change: 'unchanged', receipt: null });
  t.equal(again.statusCode, 200);

  await app.inject({ method: 'POST', url: '/v1/role-assignments', headers: admin, payload: { ...assignment, role: 'approver' } });
  await app.inject({ method: 'POST', url: '/v1/role-assignments', headers: admin, payload: { ...assignment, subject: 'op-zz' } });
  const page = (await app.inject({ method: 'GET', url: '/v1/role-assignments?unit_id=east-psb&limit=2', headers: admin })).json();
  t.same(page.items, [
    { subject: 'admin', role: 'unit_admin', unit_id: 'east-psb' },
    { subject: 'op-ma', role: 'approver', unit_id: 'east-psb' },
  ]);
  const rest = (
    await app.inject({ method: 'GET', url: `/v1/role-assignments?unit_id=east-psb&limit=2&after=${page.next}`, headers: admin })
  ).json();
  t.same(
    rest.items.map((item: { subject: string; role: string }) => `${item.subject}/${item.role}`),
    ['op-ma/operator', 'op-zz/operator'],
  );

  const revoked = await app.inject({ method: 'DELETE', url: '/v1/role-assignments/east-psb/op-ma/operator', headers: admin });
  t.match(revoked.json(), { change: 'revoked', receipt: { seq: Number } });
  t.same((await app.inject({ method: 'GET', url: '/v1/me', headers: ma })).json().roles, ['approver']);

  const unknownRole = await app.inject({
    method: 'POST',
    url: '/v1/role-assignments',
    headers: admin,
    payload: { ...assignment, role: 'emperor' },
  });
  t.equal(unknownRole.statusCode, 400);
  t.equal(unknownRole.json().errors[0].path, '/role');
  const elsewhere = await app.inject({ method: 'POST', url: '/v1/role-assignments', headers: ma, payload: assignment });
  t.equal(elsewhere.statusCode, 403, 'role_assignment:write is needed in the unit');
  const listElsewhere = await app.inject({ method: 'GET', url: '/v1/role-assignments?unit_id=east-psb', headers: ma });
  t.equal(listElsewhere.statusCode, 403);
});

t.test('who may assign which role, where, is the grant table: nobody grants themselves more', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp({
    units: [
      { id: 'east-psb', name: 'East', kind: 'using_unit' },
      { id: 'west-psb', name: 'West', kind: 'using_unit' },
      { id: 'east-court', name: 'East Court', kind: 'state_organ' },
      { id: 'city-oversight', name: 'City oversight', kind: 'oversight' },
    ],
    role_assignments: [
      { subject: 'adm-east', role: 'unit_admin', unit_id: 'east-psb' },
      { subject: 'adm-court', role: 'unit_admin', unit_id: 'east-court' },
      { subject: 'adm-city', role: 'unit_admin', unit_id: 'city-oversight' },
    ],
  });
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const east = await as('adm-east', 'east-psb');
  const court = await as('adm-court', 'east-court');
  const city = await as('adm-city', 'city-oversight');
  const assign = (headers: Record<string, string>, subject: string, role: string, unit_id: string) =>
    app.inject({ method: 'POST', url: '/v1/role-assignments', headers, payload: { subject, role, unit_id } });
  const before = await service.entryCount();
  const refusals: [string, Record<string, string>, string, string, string, string][] = [
    ['a unit admin gives itself oversight', east, 'adm-east', 'oversight', 'east-psb', 'own-role'],
    ['a unit admin gives itself the gateway role', east, 'adm-east', 'gateway', 'east-psb', 'own-role'],
    ['a unit admin makes a colleague an auditor', east, 'op-1', 'auditor', 'east-psb', 'role-not-for-unit-kind'],
    ['a unit admin makes a colleague oversight', east, 'op-1', 'oversight', 'east-psb', 'role-not-for-unit-kind'],
    [
      'a unit admin names a state organ officer in a using unit',
      east,
      'op-1',
      'state_organ_officer',
      'east-psb',
      'role-not-for-unit-kind',
    ],
    ['a unit admin assigns in another unit', east, 'op-1', 'operator', 'west-psb', 'not-an-assigner'],
    ['a state organ admin names an operator', court, 'op-1', 'operator', 'east-court', 'role-not-for-unit-kind'],
    ['the oversight admin names an operator of a using unit', city, 'op-1', 'operator', 'east-psb', 'not-an-assigner'],
    ['the oversight admin gives itself the auditor role', city, 'adm-city', 'auditor', 'city-oversight', 'own-role'],
  ];
  for (const [name, headers, subject, role, unit, code] of refusals) {
    const response = await assign(headers, subject, role, unit);
    t.equal(response.statusCode, 403, name);
    t.equal(response.json().code, code, `${name}: ${code}`);
  }
  const revokeOwn = await app.inject({
    method: 'DELETE',
    url: '/v1/role-assignments/east-psb/adm-east/unit_admin',
    headers: east,
  });
  t.equal(revokeOwn.json().code, 'own-role', 'nor revokes its own roles');
  t.equal(await service.entryCount(), before, 'a refused change records nothing');

  const permitted: [string, Record<string, string>, string, string, string][] = [
    ['a unit admin names an operator', east, 'op-1', 'operator', 'east-psb'],
    ['a unit admin registers its gateway', east, 'gw-1', 'gateway', 'east-psb'],
    ['a unit admin names a fellow admin', east, 'adm-east-2', 'unit_admin', 'east-psb'],
    ['a state organ admin names an officer', court, 'off-1', 'state_organ_officer', 'east-court'],
    ['the oversight organ appoints a unit admin anywhere', city, 'adm-west', 'unit_admin', 'west-psb'],
    ['the oversight organ names its auditor', city, 'aud-1', 'auditor', 'city-oversight'],
  ];
  for (const [name, headers, subject, role, unit] of permitted) {
    t.equal((await assign(headers, subject, role, unit)).statusCode, 201, name);
  }
  const revoked = await app.inject({ method: 'DELETE', url: '/v1/role-assignments/west-psb/adm-west/unit_admin', headers: city });
  t.equal(revoked.json().change, 'revoked', 'and removes one');
});

t.test("a unit's kind is the oversight organ's to change, and the import keeps roles to their unit kinds", async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp({
    units: [
      { id: 'lens', name: 'Lens Ltd', kind: 'entrusted_operator' },
      { id: 'city-oversight', name: 'City oversight', kind: 'oversight' },
    ],
    role_assignments: [
      { subject: 'adm-lens', role: 'unit_admin', unit_id: 'lens' },
      { subject: 'ovs', role: 'oversight', unit_id: 'city-oversight' },
    ],
  });
  const { app } = service.service;
  const patch = async (subject: string, unit: string, payload: object) =>
    app.inject({
      method: 'PATCH',
      url: '/v1/units/lens',
      headers: { authorization: `Bearer ${await service.token(subject, unit)}` },
      payload,
    });
  for (const kind of ['using_unit', 'oversight', 'state_organ']) {
    const response = await patch('adm-lens', 'lens', { kind });
    t.equal(response.statusCode, 403, `an entrusted operator's admin cannot make it a ${kind}`);
    t.equal(response.json().code, 'unit-kind-locked');
  }
  t.equal((await patch('adm-lens', 'lens', { name: 'Lens Maintenance Ltd' })).statusCode, 200, 'its name is its own');
  const changed = await patch('ovs', 'city-oversight', { kind: 'using_unit' });
  t.equal(changed.statusCode, 200, 'the oversight organ changes a kind');
  t.equal(changed.json().record.kind, 'using_unit');
  await t.rejects(
    service.setUp({ role_assignments: [{ subject: 'x', role: 'auditor', unit_id: 'lens' }] }),
    { code: 'role-not-for-unit-kind' },
    'the import refuses a role in a kind of unit the table does not allow',
  );
});

t.test('another replica on the same database applies a role change within one second', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp({
    units: [{ id: 'east-psb', name: 'East', kind: 'using_unit' }],
    role_assignments: [{ subject: 'admin', role: 'unit_admin', unit_id: 'east-psb' }],
  });
  // The second replica: its own connection pool (PostgreSQL) or the same embedded instance.
  const handle =
    service.database.url === undefined ? service.database.handle : openPostgresDatabase({ url: service.database.url });
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: service.dataDir, LOG_LEVEL: 'warn' });
  const replica = await composeService(config, createLogger('warn', quiet), { database: handle });
  t.teardown(async () => {
    await replica.close();
    if (handle !== service.database.handle) await handle.close();
  });
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  const ma = { authorization: `Bearer ${await service.token('op-ma', 'east-psb')}` };
  const roles = async () => (await replica.app.inject({ method: 'GET', url: '/v1/me', headers: ma })).json().roles;
  t.same(await roles(), []);

  const started = Date.now();
  const assigned = await service.service.app.inject({
    method: 'POST',
    url: '/v1/role-assignments',
    headers: admin,
    payload: { subject: 'op-ma', role: 'supervisor', unit_id: 'east-psb' },
  });
  t.equal(assigned.statusCode, 201);
  let seen: string[] = [];
  while (Date.now() - started < 1000) {
    seen = await roles();
    if (seen.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  t.same(seen, ['supervisor'], `the replica applied it after ${Date.now() - started} ms`);
});
