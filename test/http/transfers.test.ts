import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { registerTransfer } from '../../src/workflows/transfers.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const window = { from: new Date(Date.now() - 3 * HOUR).toISOString(), to: new Date(Date.now() - HOUR).toISOString() };
const SHA = 'a'.repeat(64);

t.test('an allowed export is registered once as a transfer (23(3)), and the register is listed', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({
    units: [{ id: 'audit-office', name: 'Audit office', kind: 'oversight' }],
    role_assignments: [
      { subject: 'aud-qian', role: 'auditor', unit_id: 'audit-office' },
      { subject: 'sup-li', role: 'supervisor', unit_id: 'riverside-metro' },
    ],
  });
  const { app } = service.service;
  const li = { authorization: `Bearer ${await service.token('sup-li', 'riverside-psb')}` };
  const liOfMetro = { authorization: `Bearer ${await service.token('sup-li', 'riverside-metro')}` };
  const wang = { authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}` };
  const auditor = { authorization: `Bearer ${await service.token('aud-qian', 'audit-office')}` };
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  const decide = async (headers: Record<string, string>, body: object) =>
    (
      await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers,
        payload: { purpose: 'case_handling', reason: 'case 2026-0042 evidence', ...body },
      })
    ).json();
  const exportDecision = await decide(li, { camera_id: 'cam-square-north', action: 'export', window });
  t.equal(exportDecision.decision, 'allow');
  const transfer = {
    decision_id: exportDecision.decision_id,
    content: {
      camera_id: 'cam-square-north',
      window,
      file_sha256: SHA,
      size_bytes: 1_048_576,
      description: 'north corner, 2 hours',
    },
    recipient: { unit: 'Riverside District Court', person_name: 'Judge Xu Ping' },
    reason: 'evidence for case 2026-0042',
  };
  const post = (headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url: '/v1/transfers', headers, payload });

  const refusals: [string, Record<string, string>, object, number, string][] = [
    ['another unit does not hand over this unit’s footage', liOfMetro, transfer, 403, '/decision_id'],
    [
      'another camera',
      li,
      { ...transfer, content: { ...transfer.content, camera_id: 'cam-river-road' } },
      400,
      '/content/camera_id',
    ],
    [
      'a wider window',
      li,
      { ...transfer, content: { ...transfer.content, window: { ...window, to: new Date().toISOString() } } },
      400,
      '/content/window',
    ],
    ['an unknown decision', li, { ...transfer, decision_id: '2b1f7c52-6a0e-4d36-9d7c-5b0f0c8a1e11' }, 404, '/decision_id'],
    ['a bad hash', li, { ...transfer, content: { ...transfer.content, file_sha256: 'xyz' } }, 400, '/content/file_sha256'],
    ['no recipient', li, { ...transfer, recipient: undefined }, 400, '/recipient'],
  ];
  for (const [name, headers, payload, status, field] of refusals) {
    const response = await post(headers, payload);
    t.equal(response.statusCode, status, `${name}: ${status}`);
    t.equal(response.json().errors?.[0]?.path, field, `${name}: names ${field}`);
  }
  t.equal((await post(wang, transfer)).statusCode, 403, 'operators do not register transfers');
  const playback = await decide(li, { camera_id: 'cam-square-north', action: 'playback', window });
  const notExport = await post(li, { ...transfer, decision_id: playback.decision_id });
  t.equal(notExport.statusCode, 409, 'a playback decision is not an export');
  const denied = await decide(li, { camera_id: 'cam-square-north', action: 'export', window, purpose: 'commercial' });
  t.equal((await post(li, { ...transfer, decision_id: denied.decision_id })).statusCode, 409, 'a denied export is not an export');

  const later = new Date(Date.parse(exportDecision.valid_until) + 1000);
  await t.rejects(
    registerTransfer(
      service.service.writer,
      service.database.handle.db,
      service.service.access.current,
      { subject: 'sup-li', unit: 'riverside-psb' },
      transfer,
      later,
    ),
    { code: 'decision-expired', field: 'decision_id' },
    'an expired decision cannot be used',
  );
  const registered = await post(li, transfer);
  t.equal(registered.statusCode, 201);
  const { transfer_id: transferId, receipt } = registered.json();
  const again = await post(li, transfer);
  t.equal(again.statusCode, 409, 'a decision is used once');
  t.match(again.json().detail, /used by transfer/);

  const entry = (await app.inject({ method: 'GET', url: `/v1/ledger/entries/${receipt.seq}?open=true`, headers: admin })).json();
  t.match(entry.entry, {
    kind: 'transfer.registered',
    actor: { subject: 'sup-li', unit: 'riverside-psb' },
    payload: {
      transfer_id: transferId,
      decision_id: exportDecision.decision_id,
      decision_seq: exportDecision.receipt.seq,
      content: { file_sha256: SHA },
      transferring: { unit_id: 'riverside-psb', subject: 'sup-li', name: { $sealed: /^[0-9a-f]{64}$/ } },
      recipient: { unit: 'Riverside District Court', person_name: { $sealed: /^[0-9a-f]{64}$/ } },
      reason: { $sealed: /^[0-9a-f]{64}$/ },
    },
  });
  t.same(
    Object.fromEntries(entry.opened.map((value: { pointer: string; value: string }) => [value.pointer, value.value])),
    {
      '/payload/reason': 'evidence for case 2026-0042',
      '/payload/recipient/person_name': 'Judge Xu Ping',
      '/payload/transferring/name': 'Li Wei',
    },
    'the transferring person comes from the registry',
  );

  const own = (await app.inject({ method: 'GET', url: '/v1/transfers', headers: li })).json();
  t.equal(own.items.length, 1);
  t.match(own.items[0], { transfer_id: transferId, unit_id: 'riverside-psb', camera_id: 'cam-square-north', seq: receipt.seq });
  t.notOk(JSON.stringify(own).includes('Judge Xu'), 'the list shows commitments, not names');
  const audited = (await app.inject({ method: 'GET', url: '/v1/transfers?camera_id=cam-square-north', headers: auditor })).json();
  t.equal(audited.items.length, 1, 'auditors see every unit');
  t.equal((await app.inject({ method: 'GET', url: '/v1/transfers?open=true', headers: auditor })).statusCode, 403);
  const opened = (await app.inject({ method: 'GET', url: '/v1/transfers?open=true', headers: admin })).json();
  t.equal(opened.items[0].opened.length, 3);
  const metro = { authorization: `Bearer ${await service.token('metro-sun', 'riverside-metro')}` };
  t.equal(
    (await app.inject({ method: 'GET', url: '/v1/transfers', headers: metro })).statusCode,
    403,
    'operators do not read the register',
  );
  const none = (await app.inject({ method: 'GET', url: '/v1/transfers?unit_id=riverside-metro', headers: li })).json();
  t.same(none, { items: [], next: null }, "a unit's own register holds only its transfers");
  t.notOk(service.logs.join('').includes('Judge Xu Ping'), 'the log never carries a personal value');
  t.notOk(service.logs.join('').includes('case 2026-0042'), 'nor a reason');
});
