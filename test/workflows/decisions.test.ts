import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { decide, decideAsked } from '../../src/workflows/decisions.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

const live = { camera_id: 'cam-square-north', action: 'live', purpose: 'public_safety', reason: 'patrol' } as const;

t.test('decide records allows and denies alike, on the snapshot it is given', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { context } = service.service;
  const before = await service.entryCount();
  const allowed = await decide(context, context.access.current, { subject: 'op-wang', unit: 'riverside-psb' }, live);
  t.equal(allowed.outcome.decision, 'allow');
  t.ok(allowed.validUntil !== null && allowed.grantValidUntil === null);
  const denied = await decide(context, context.access.current, { subject: 'op-zhao', unit: 'riverside-psb' }, live);
  t.same(
    denied.outcome.reasons.map((reason) => reason.code),
    ['TRAINING_LAPSED'],
  );
  t.equal(await service.entryCount(), before + 2, 'both are entries');
  t.same(await service.lastEntry(), { kind: 'decision.made', ref: denied.decisionId });
  await t.rejects(
    decide(context, context.access.current, { subject: 'op-wang', unit: 'riverside-psb' }, { ...live, camera_id: 'cam-none' }),
    { code: 'unknown-camera' },
  );
  t.equal(await service.entryCount(), before + 2, 'a request that cannot be decided records nothing');
});

t.test('decideAsked refuses, unrecorded, whoever may not ask or speaks for another unit', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({ role_assignments: [{ subject: 'gw', role: 'gateway', unit_id: 'riverside-metro' }] });
  const { context } = service.service;
  const before = await service.entryCount();
  await t.rejects(decideAsked(context, { subject: 'admin', unit: 'dev' }, live), { code: 'decision-not-permitted' });
  await t.rejects(
    decideAsked(
      context,
      { subject: 'gw', unit: 'riverside-metro' },
      { ...live, on_behalf_of: { subject: 'op-wang', name: 'W' } },
    ),
    { code: 'on-behalf-not-permitted', field: 'on_behalf_of' },
  );
  t.equal(await service.entryCount(), before);
  const asked = await decideAsked(context, { subject: 'metro-sun', unit: 'riverside-metro' }, live);
  t.same(
    asked.outcome.reasons.map((reason) => reason.code),
    ['ROLE_NOT_PERMITTED', 'NOT_REGISTERED_PERSONNEL'],
    'asked, and decided',
  );
});
