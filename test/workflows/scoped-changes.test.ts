import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { RESOURCES } from '../../src/rules/registry.js';
import { endMeasure } from '../../src/workflows/access-requests.js';
import { eraseSubject } from '../../src/workflows/erasure.js';
import { recordEvent } from '../../src/workflows/ledger-events.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { createAs, readRegistry, updateAs } from '../../src/workflows/registry-requests.js';
import { changeRoleAs } from '../../src/workflows/role-assignments.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const psbAdmin = { subject: 'admin', unit: 'riverside-psb' };
const metroAdmin = { subject: 'admin-m', unit: 'riverside-metro' };

async function district(t: { teardown(fn: () => Promise<void>): void }) {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({ role_assignments: [{ subject: 'admin-m', role: 'unit_admin', unit_id: 'riverside-metro' }] });
  return service;
}

t.test('the registry workflows keep each unit to its own records, kind and people', async (t) => {
  const service = await district(t);
  const { context } = service.service;
  await t.rejects(readRegistry(context, metroAdmin, RESOURCES.cameras, 'cam-square-north'), { code: 'not-found' });
  t.match(await readRegistry(context, psbAdmin, RESOURCES.cameras, 'cam-square-north'), { id: 'cam-square-north' });
  await t.rejects(updateAs(context, metroAdmin, RESOURCES.cameras, 'cam-square-north', { name: 'x' }), {
    code: 'registry-not-permitted',
  });
  await t.rejects(updateAs(context, psbAdmin, RESOURCES.units, 'riverside-psb', { kind: 'oversight' }), {
    code: 'unit-kind-locked',
  });
  await t.rejects(
    createAs(context, metroAdmin, RESOURCES.personnel, { id: 'op-new', unit_id: 'riverside-psb', name: null, position: 'x' }),
    { code: 'registry-not-permitted' },
    'nor registers people of another unit',
  );
  await t.rejects(
    createAs(context, metroAdmin, RESOURCES.personnel, { id: 'sup-li', unit_id: 'riverside-metro', name: null, position: 'x' }),
    { code: 'person-served-elsewhere' },
  );
  const renamed = await updateAs(context, psbAdmin, RESOURCES.cameras, 'cam-square-north', { name: 'North corner' });
  t.equal(renamed.change, 'updated');
  t.equal(context.access.current.cameras.get('cam-square-north')?.camera.name, 'North corner', 'applied before it returns');
});

t.test('role changes, erasure and events stay inside the caller’s units', async (t) => {
  const service = await district(t);
  const { context } = service.service;
  const operator = { subject: 'op-new', role: 'operator', unit_id: 'riverside-psb' };
  await t.rejects(changeRoleAs(context.roles, context.access.current, metroAdmin, 'assigned', operator), {
    code: 'not-an-assigner',
  });
  await t.rejects(
    changeRoleAs(context.roles, context.access.current, psbAdmin, 'assigned', { ...operator, subject: 'admin', role: 'gateway' }),
    { code: 'own-role' },
  );
  t.ok(await changeRoleAs(context.roles, context.access.current, psbAdmin, 'assigned', operator), 'its own admin assigns');

  await context.writer.record({
    kind: 'playback.started',
    actor: { unit: 'riverside-psb', subject: 'visitor-1', name: 'A Visitor' },
    payload: { camera_id: 'cam-square-north', session_id: 's-1' },
  });
  await t.rejects(eraseSubject(context, metroAdmin, 'visitor-1', 'purpose_fulfilled', undefined), { code: 'not-your-subject' });
  const erased = await eraseSubject(context, psbAdmin, 'visitor-1', 'purpose_fulfilled', undefined);
  t.equal(erased.valuesErased, 1);

  const gateway = { subject: 'gw', unit: 'riverside-metro' };
  await t.rejects(recordEvent(context, gateway, 'playback.started', { camera_id: 'cam-square-north', session_id: 's' }), {
    code: 'event-out-of-scope',
    field: 'payload/camera_id',
  });
  t.ok(await recordEvent(context, gateway, 'playback.started', { camera_id: 'cam-metro-hall', session_id: 's' }));
});

t.test('a grant and a hold end through one workflow, for their own unit’s approvers only', async (t) => {
  const service = await district(t);
  const { app, context } = service.service;
  const window = { from: new Date(Date.now() - 3 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
  const submitted = await app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: { authorization: `Bearer ${await service.token('pr-zhou', 'riverside-procuratorate')}` },
    payload: {
      ...stateOrganRequest('W-1', { camera_ids: ['cam-square-north'], window, actions: ['playback'] }),
      legal_hold: true,
    },
  });
  const approved = await app.inject({
    method: 'POST',
    url: `/v1/access-requests/${submitted.json().id}/decisions`,
    headers: { authorization: `Bearer ${await service.token('sup-li', 'riverside-psb')}` },
    payload: { decision: 'approve', reason: 'ok' },
  });
  const { grant_id: grantId, hold_id: holdId } = approved.json();
  const approver = { subject: 'sup-li', unit: 'riverside-psb' };
  await t.rejects(endMeasure(context, { subject: 'sup-li', unit: 'riverside-metro' }, 'grant', grantId, 'x'), {
    code: 'not-found',
  });
  await t.rejects(endMeasure(context, psbAdmin, 'hold', holdId, 'x'), { code: 'not-found' }, 'an admin does not decide requests');
  const revoked = await endMeasure(context, approver, 'grant', grantId, 'the case closed');
  t.equal(revoked.measure.id, grantId);
  t.same(await service.lastEntry(), { kind: 'grant.revoked', ref: grantId });
  await t.rejects(endMeasure(context, approver, 'grant', grantId, 'again'), { code: 'grant-not-active' });
  await endMeasure(context, approver, 'hold', holdId, 'the trial ended');
  t.same(await service.lastEntry(), { kind: 'legal_hold.released', ref: holdId });
});
