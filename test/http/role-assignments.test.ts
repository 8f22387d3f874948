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
