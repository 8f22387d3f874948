/**
 * Holds and retention reach the video system: a gateway lists the holds of its cameras before it
 * deletes footage, and a deletion it reports anyway is recorded and becomes a compliance finding.
 */
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService } from '../helpers/service.js';

const DAY = 86_400_000;

t.test('a gateway sees the holds of its cameras, and a deletion under a hold or before retention is a finding', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({
    role_assignments: [
      { subject: 'gw-riverside', role: 'gateway', unit_id: 'riverside-psb' },
      { subject: 'gw-metro', role: 'gateway', unit_id: 'riverside-metro' },
      { subject: 'gw-brightlens', role: 'gateway', unit_id: 'brightlens' },
    ],
  });
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const gateway = await as('gw-riverside', 'riverside-psb');
  const admin = await as('admin', 'dev');
  const window = { from: new Date(Date.now() - 10 * DAY).toISOString(), to: new Date(Date.now() - 9 * DAY).toISOString() };
  const submitted = await app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: await as('pr-zhou', 'riverside-procuratorate'),
    payload: {
      ...stateOrganRequest('LH-1', { camera_ids: ['cam-square-north'], window, actions: ['playback'] }),
      legal_hold: true,
    },
  });
  const approved = await app.inject({
    method: 'POST',
    url: `/v1/access-requests/${submitted.json().id}/decisions`,
    headers: await as('sup-li', 'riverside-psb'),
    payload: { decision: 'approve', reason: 'preserve for the case' },
  });
  const holdId = approved.json().hold_id as string;
  t.match(holdId, /^[0-9a-f-]{36}$/);

  const list = async (headers: Record<string, string>, query = 'camera_id=cam-square-north&active=true') =>
    app.inject({ method: 'GET', url: `/v1/legal-holds?${query}`, headers });
  const seen = await list(gateway);
  t.equal(seen.statusCode, 200);
  t.match(seen.json(), { items: [{ hold_id: holdId, camera_ids: ['cam-square-north'], window, active: true }], next: null });
  t.same((await list(gateway, 'camera_id=cam-river-road')).json().items, [], 'another camera has none');
  t.same((await list(await as('gw-metro', 'riverside-metro'))).json().items, [], "another unit's gateway sees none");
  t.equal(
    (await list(await as('gw-brightlens', 'brightlens'))).json().items.length,
    1,
    'the operator riverside-psb entrusted sees them',
  );
  t.equal((await list(await as('op-wang', 'riverside-psb'))).statusCode, 403, 'an operator has no legal_hold:read');
  t.equal((await list(gateway, 'before=%25')).statusCode, 400, 'a bad cursor names the field');

  const report = async () => (await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin })).json();
  const report0 = await report();
  t.ok(
    report0.deletions_not_reported.some((item: { camera_id: string }) => item.camera_id === 'cam-square-north'),
    'no deletion reported since going live: a finding',
  );
  const deleted = await app.inject({
    method: 'POST',
    url: '/v1/ledger/events',
    headers: gateway,
    payload: { kind: 'footage.deleted', payload: { camera_id: 'cam-square-north', window, cause: 'retention_expired' } },
  });
  t.equal(deleted.statusCode, 201, 'the deletion happened: it is recorded');
  const report1 = await report();
  t.match(report1.deletions_under_hold, [
    { code: 'FOOTAGE_DELETED_UNDER_HOLD', article: '16', camera_id: 'cam-square-north', hold_id: holdId },
  ]);
  t.match(report1.deletions_before_retention, [
    { code: 'FOOTAGE_DELETED_EARLY', article: '16', camera_id: 'cam-square-north', retention_days: 30 },
  ]);
  t.notOk(
    report1.deletions_not_reported.some((item: { camera_id: string }) => item.camera_id === 'cam-square-north'),
    'a recent deletion answers the unreported finding',
  );
  const csv = await app.inject({ method: 'GET', url: '/v1/compliance/report?format=csv', headers: admin });
  t.match(csv.body, /deletions_under_hold,FOOTAGE_DELETED_UNDER_HOLD,16,riverside-psb,,cam-square-north/);

  await app.inject({
    method: 'POST',
    url: `/v1/legal-holds/${holdId}/release`,
    headers: await as('sup-li', 'riverside-psb'),
    payload: { reason: 'case closed' },
  });
  t.same((await list(gateway)).json().items, [], 'a released hold is no longer active');
  t.equal((await list(gateway, 'active=false')).json().items[0]?.hold_id, holdId, 'and is listed as released');
});
