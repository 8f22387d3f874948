import t from 'tap';
import { startTestService } from '../helpers/service.js';

const UNIT = { id: 'east-psb', name: 'East District Public Security Bureau', kind: 'using_unit' };
const SYSTEM = {
  id: 'east-streets',
  unit_id: 'east-psb',
  name: 'East streets',
  legal_basis: 'government',
  went_live_on: '2026-01-10',
  filing: { organ: 'City PSB', number: 'PV-1', filed_on: '2026-01-20' },
  signage: true,
};
const CAMERA = { id: 'cam-e1', system_id: 'east-streets', name: 'Gate', location: 'East gate', location_class: 'road' };
const PERSON = {
  id: 'op-ma',
  unit_id: 'east-psb',
  name: 'Ma Lin',
  position: 'operator',
  training_valid_until: '2027-01-01',
  confidentiality_signed_on: '2026-01-05',
};

t.test('the registry API creates, reads, lists, updates and deactivates, each change a ledger entry', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const { app } = service.service;
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  const post = (url: string, payload: object, headers = admin) => app.inject({ method: 'POST', url, headers, payload });

  const created = await post('/v1/units', UNIT);
  t.equal(created.statusCode, 201);
  t.match(created.json(), { record: { ...UNIT, active: true }, change: 'created', receipt: { seq: Number } });
  t.equal((await post('/v1/units', UNIT)).statusCode, 409, 'an id is created once');
  await service.setUp({ role_assignments: [{ subject: 'admin', role: 'unit_admin', unit_id: 'east-psb' }] });

  const system = await post('/v1/systems', SYSTEM);
  t.equal(system.statusCode, 201);
  t.same(system.json().record, { ...SYSTEM, retention_days: 30, active: true }, 'defaults are filled in');
  t.equal((await post('/v1/cameras', CAMERA)).statusCode, 201);
  t.same((await post('/v1/cameras', { ...CAMERA, id: 'cam-e2', system_id: 'nowhere' })).json().errors, [
    { location: 'body', path: '/system_id', message: 'no systems record nowhere' },
  ]);
  const person = await post('/v1/personnel', PERSON);
  t.equal(person.statusCode, 201);

  const entry = (
    await app.inject({ method: 'GET', url: `/v1/ledger/entries/${person.json().receipt.seq}`, headers: admin })
  ).json();
  t.match(entry.entry, {
    kind: 'registry.changed',
    actor: { subject: 'admin', unit: 'dev' },
    payload: {
      change: 'created',
      person: { id: 'op-ma', before: null, after: { name: { $sealed: /^[0-9a-f]{64}$/ }, position: 'operator' } },
    },
  });

  const read = await app.inject({ method: 'GET', url: '/v1/cameras/cam-e1', headers: admin });
  t.same(read.json(), { ...CAMERA, near_military_area: false, site_consent_ref: null, groups: [], active: true });
  t.equal((await app.inject({ method: 'GET', url: '/v1/cameras/cam-zz', headers: admin })).statusCode, 404);

  const patched = await app.inject({
    method: 'PATCH',
    url: '/v1/systems/east-streets',
    headers: admin,
    payload: { retention_days: 90, filing: null },
  });
  t.equal(patched.statusCode, 200);
  t.match(patched.json(), { change: 'updated', record: { retention_days: 90, filing: null } });
  const changeEntry = (
    await app.inject({ method: 'GET', url: `/v1/ledger/entries/${patched.json().receipt.seq}`, headers: admin })
  ).json();
  t.match(changeEntry.entry.payload.system, {
    id: 'east-streets',
    before: { retention_days: 30 },
    after: { retention_days: 90 },
  });
  const same = await app.inject({
    method: 'PATCH',
    url: '/v1/systems/east-streets',
    headers: admin,
    payload: { retention_days: 90 },
  });
  t.match(same.json(), { change: 'unchanged', receipt: null }, 'a change that alters nothing records nothing');

  const deactivated = await app.inject({ method: 'POST', url: '/v1/cameras/cam-e1/deactivate', headers: admin });
  t.match(deactivated.json(), { change: 'deactivated', record: { active: false } });

  for (let i = 0; i < 5; i++) await post('/v1/cameras', { ...CAMERA, id: `cam-p${i}` });
  const first = (await app.inject({ method: 'GET', url: '/v1/cameras?limit=4', headers: admin })).json();
  t.equal(first.items.length, 4);
  t.equal(first.next, 'cam-p2');
  const second = (await app.inject({ method: 'GET', url: `/v1/cameras?limit=4&after=${first.next}`, headers: admin })).json();
  t.same(
    second.items.map((item: { id: string }) => item.id),
    ['cam-p3', 'cam-p4'],
  );
  t.equal(second.next, null);
  const active = (await app.inject({ method: 'GET', url: '/v1/cameras?active=false', headers: admin })).json();
  t.same(
    active.items.map((item: { id: string }) => item.id),
    ['cam-e1'],
  );
});

t.test('registry writes are scoped to the unit that owns the record, and bad input writes nothing', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp({
    units: [UNIT, { id: 'west-psb', name: 'West', kind: 'using_unit' }],
    systems: [SYSTEM],
    cameras: [CAMERA],
    role_assignments: [
      { subject: 'adm-east', role: 'unit_admin', unit_id: 'east-psb' },
      { subject: 'adm-west', role: 'unit_admin', unit_id: 'west-psb' },
    ],
  });
  const { app } = service.service;
  const east = { authorization: `Bearer ${await service.token('adm-east', 'east-psb')}` };
  const west = { authorization: `Bearer ${await service.token('adm-west', 'west-psb')}` };
  const before = await service.entryCount();

  const refused = await app.inject({ method: 'PATCH', url: '/v1/cameras/cam-e1', headers: west, payload: { name: 'x' } });
  t.equal(refused.statusCode, 403, "another unit's camera cannot be changed");
  const hijack = await app.inject({
    method: 'PATCH',
    url: '/v1/systems/east-streets',
    headers: west,
    payload: { unit_id: 'west-psb' },
  });
  t.equal(hijack.statusCode, 403, 'a system cannot be moved from a unit one does not administer');
  t.equal(
    (await app.inject({ method: 'POST', url: '/v1/units', headers: east, payload: { ...UNIT, id: 'x' } })).statusCode,
    403,
    'creating units needs registry:create_unit',
  );
  t.equal(
    (await app.inject({ method: 'GET', url: '/v1/cameras/cam-e1', headers: west })).statusCode,
    404,
    "another unit's records are not shown",
  );
  t.same((await app.inject({ method: 'GET', url: '/v1/cameras', headers: west })).json(), { items: [], next: null });
  t.equal((await app.inject({ method: 'GET', url: '/v1/cameras', headers: east })).json().items.length, 1);

  const bad: [string, string, string, object, string][] = [
    ['POST', '/v1/personnel', 'a missing name', { ...PERSON, name: undefined }, '/name'],
    ['POST', '/v1/personnel', 'a bad date', { ...PERSON, training_valid_until: '2027-13-01' }, '/training_valid_until'],
    ['POST', '/v1/systems', 'an unknown legal basis', { ...SYSTEM, id: 's2', legal_basis: 'castle' }, '/legal_basis'],
    ['POST', '/v1/cameras', 'a bad id', { ...CAMERA, id: 'Cam 1' }, '/id'],
    ['POST', '/v1/cameras', 'an unknown member', { ...CAMERA, id: 'c2', colour: 'red' }, '/colour'],
    ['PATCH', '/v1/cameras/cam-e1', 'an empty change', {}, ''],
    ['PATCH', '/v1/cameras/cam-e1', 'an id change', { id: 'other' }, '/id'],
  ];
  for (const [method, url, name, payload, field] of bad) {
    const response = await app.inject({ method: method as 'POST', url, headers: east, payload });
    t.equal(response.statusCode, 400, `${name}: 400`);
    t.equal(response.json().errors[0].path, field, `${name}: names ${field || 'the body'}`);
  }
  t.equal(await service.entryCount(), before, 'nothing was written');
});
