/**
 * Discovery: the camera directory for those who ask for footage without a registry role, and the
 * access plan, which must agree with the decisions it predicts (property-tested through the API).
 */
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

t.test('the camera directory shows an officer and an emergency requester the cameras, and nothing else', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const list = async (headers: Record<string, string>, query = '') =>
    app.inject({ method: 'GET', url: `/v1/cameras${query}`, headers });
  for (const [who, headers] of [
    ['an officer', await as('pr-zhou', 'riverside-procuratorate')],
    ['a person in an emergency', await as('resident-4711', 'nowhere')],
  ] as const) {
    const answer = await list(headers);
    t.equal(answer.statusCode, 200, who);
    const body = answer.json();
    t.equal(body.directory, true);
    t.ok(body.items.length >= 5, `${who} sees the cameras`);
    for (const item of body.items) {
      t.same(Object.keys(item).sort(), ['id', 'location', 'name', 'system_id', 'unit_id', 'unit_name'], `${item.id}: only these`);
    }
    t.notOk(JSON.stringify(body).includes('location_class'), 'no location class, groups or retention');
  }
  const officer = await as('pr-zhou', 'riverside-procuratorate');
  const metro = (await list(officer, '?unit_id=riverside-metro')).json();
  t.ok(metro.items.length > 0 && metro.items.every((item: { unit_id: string }) => item.unit_id === 'riverside-metro'));
  const first = (await list(officer, '?limit=2')).json();
  t.equal(first.items.length, 2);
  const second = (await list(officer, `?limit=2&after=${first.next}`)).json();
  t.ok(second.items[0].id > first.items[1].id, 'paged by id');
  const records = (await list(await as('admin', 'riverside-psb'))).json();
  t.notOk(records.directory, 'a registry reader gets the records');
  t.ok('location_class' in records.items[0]);
  t.equal((await app.inject({ method: 'GET', url: '/v1/cameras' })).statusCode, 401, 'never unauthenticated');
});

t.test('the access plan names exactly the cameras a decision would allow, and the grant to ask under', async (t) => {
  t.setTimeout(240_000);
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({ role_assignments: [{ subject: 'appr-wu', role: 'approver', unit_id: 'riverside-psb' }] });
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const recent = { from: new Date(Date.now() - 3 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
  const old = { from: new Date(Date.now() - 60 * DAY).toISOString(), to: new Date(Date.now() - 59 * DAY).toISOString() };
  const submitted = await app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: await as('pr-zhou', 'riverside-procuratorate'),
    payload: stateOrganRequest('PLAN-1', {
      camera_ids: ['cam-square-north', 'cam-river-road'],
      window: recent,
      actions: ['playback'],
    }),
  });
  const id = submitted.json().id;
  await app.inject({
    method: 'POST',
    url: `/v1/access-requests/${id}/decisions`,
    headers: await as('sup-li', 'riverside-psb'),
    payload: { decision: 'approve', reason: 'checked' },
  });
  const cameras = (await app.inject({ method: 'GET', url: '/v1/cameras', headers: await as('admin', 'dev') })).json();
  const cameraIds: string[] = (
    await app.inject({ method: 'GET', url: '/v1/cameras?limit=500', headers: await as('pr-zhou', 'riverside-procuratorate') })
  )
    .json()
    .items.map((item: { id: string }) => item.id);
  t.ok(cameras !== undefined && cameraIds.length >= 5);

  const callers = [
    ['op-wang', 'riverside-psb'],
    ['op-zhao', 'riverside-psb'],
    ['sup-li', 'riverside-psb'],
    ['metro-sun', 'riverside-metro'],
    ['mt-chen', 'brightlens'],
    ['pr-zhou', 'riverside-procuratorate'],
    ['resident-4711', 'nowhere'],
  ] as const;
  const question = fc.record({
    caller: fc.constantFrom(...callers),
    action: fc.constantFrom('live', 'playback', 'export', 'broadcast'),
    purpose: fc.constantFrom('public_safety', 'case_handling', 'maintenance', 'commercial'),
    window: fc.constantFrom(recent, old),
  });
  let planned = 0;
  let grantsUsed = 0;
  await fc.assert(
    fc.asyncProperty(question, async ({ caller, action, purpose, window }) => {
      const headers = await as(caller[0], caller[1]);
      const body = { action, purpose, reason: 'property', ...(action === 'live' ? {} : { window }) };
      const plan = await app.inject({ method: 'POST', url: '/v1/decisions/plan', headers, payload: body });
      if (plan.statusCode !== 200) throw new Error(`plan: ${plan.statusCode} ${plan.body}`);
      const items = new Map<string, string | null>(
        plan.json().items.map((item: { camera_id: string; grant_id: string | null }) => [item.camera_id, item.grant_id]),
      );
      planned += items.size;
      for (const camera of cameraIds) {
        const grantId = items.get(camera);
        if (grantId !== undefined && grantId !== null) grantsUsed += 1;
        const decided = await app.inject({
          method: 'POST',
          url: '/v1/decisions',
          headers,
          payload: { camera_id: camera, ...body, ...(grantId ? { grant_id: grantId } : {}) },
        });
        const allowed = decided.statusCode === 200 && decided.json().decision === 'allow';
        if (allowed !== (grantId !== undefined)) {
          throw new Error(
            `${caller[0]} ${action} ${purpose} ${camera}: planned ${grantId !== undefined} (${grantId}), decided ${decided.statusCode} ${decided.body}`,
          );
        }
      }
    }),
    { numRuns: 30, seed: 20261130 },
  );
  t.ok(planned > 0, `${planned} cameras planned across the runs`);
  t.ok(grantsUsed > 0, `${grantsUsed} of them under a grant`);
  const bad = await app.inject({
    method: 'POST',
    url: '/v1/decisions/plan',
    headers: await as('op-wang', 'riverside-psb'),
    payload: { action: 'live', purpose: 'public_safety', reason: 'x', window: recent },
  });
  t.equal(bad.statusCode, 400, 'live takes no window');
  const noWindow = await app.inject({
    method: 'POST',
    url: '/v1/decisions/plan',
    headers: await as('op-wang', 'riverside-psb'),
    payload: { action: 'playback', purpose: 'public_safety', reason: 'x' },
  });
  t.equal(noWindow.statusCode, 400, 'playback needs one');
});
