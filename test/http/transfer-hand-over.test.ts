/**
 * The register's loop for exports (Article 23(3)): an export leaves the gate only once the unit whose
 * footage it is has registered its transfer, and the receiving side acknowledges receipt with the
 * file's hash. A state organ's journey end to end, and a unit's own export to another unit.
 */
import { readFile } from 'node:fs/promises';
import t, { type Test } from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService, type TestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const window = { from: new Date(Date.now() - 6 * HOUR).toISOString(), to: new Date(Date.now() - HOUR).toISOString() };
const SHA = 'b'.repeat(64);

async function district(
  t: Test,
): Promise<{ service: TestService; as: (subject: string, unit: string) => Promise<Record<string, string>> }> {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({
    role_assignments: [
      { subject: 'appr-wu', role: 'approver', unit_id: 'riverside-psb' },
      { subject: 'sup-ma', role: 'supervisor', unit_id: 'riverside-metro' },
    ],
  });
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  return { service, as };
}

function content(cameraId = 'cam-square-north') {
  return { camera_id: cameraId, window, file_sha256: SHA, size_bytes: 5_000_000, description: 'MP4, north corner' };
}

t.test('a state organ’s export: decided, refused at the gate, registered by the unit, downloaded, acknowledged', async (t) => {
  const { service, as } = await district(t);
  const { app } = service.service;
  const post = (url: string, headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url, headers, payload });
  const zhou = await as('pr-zhou', 'riverside-procuratorate');
  const li = await as('sup-li', 'riverside-psb');
  const wu = await as('appr-wu', 'riverside-psb');
  const admin = await as('admin', 'dev');

  const submitted = await post(
    '/v1/access-requests',
    zhou,
    stateOrganRequest('HO-1', { camera_ids: ['cam-square-north'], window, actions: ['export'] }),
  );
  t.equal(submitted.statusCode, 201);
  const id = submitted.json().id;
  await post(`/v1/access-requests/${id}/decisions`, li, { decision: 'approve', reason: 'basis checked' });
  const approved = await post(`/v1/access-requests/${id}/decisions`, wu, { decision: 'approve', reason: 'four eyes' });
  const grantId = approved.json().grant_id as string;
  t.match(approved.json(), { status: 'approved' });

  const path = `/export/cam-square-north/${window.from}/${window.to}/evidence.mp4`;
  const uri = `${path}?grant=${grantId}&reason=robbery%20evidence`;
  const download = (headers: Record<string, string>, asked = uri) =>
    app.inject({
      method: 'GET',
      url: '/v1/gate',
      headers: { ...headers, 'x-original-uri': asked, 'x-served-uri': asked.split('?')[0] as string },
    });
  const before = await service.entryCount();
  const first = await download(zhou);
  t.equal(first.statusCode, 403, 'the export is not released before its transfer is registered');
  t.equal(first.headers['x-deny-reasons'], 'TRANSFER_NOT_REGISTERED');
  const decisionId = first.headers['x-decision-id'] as string;
  t.match(decisionId, /^[0-9a-f-]{36}$/, 'the answer names the decision to register');
  t.equal(await service.entryCount(), before + 2, 'the decision and the refusal are recorded');
  const refusal = (await service.lastEntry()).kind;
  t.equal(refusal, 'gate.refused');
  const again = await download(zhou);
  t.equal(again.statusCode, 403);
  t.equal(again.headers['x-decision-id'], decisionId, 'asking again names the same decision');

  const transfer = {
    decision_id: decisionId,
    content: content(),
    recipient: { unit: "Riverside District People's Procuratorate", person_name: 'Zhou Lan' },
    reason: 'evidence for case HO-1',
  };
  t.equal((await post('/v1/transfers', zhou, transfer)).statusCode, 403, 'the receiving officer does not register it');
  const otherUnit = await post('/v1/transfers', await as('sup-ma', 'riverside-metro'), transfer);
  t.equal(otherUnit.statusCode, 403, 'nor does another unit');
  t.equal(otherUnit.json().code, 'forbidden');
  const wrongRecipient = await post('/v1/transfers', li, {
    ...transfer,
    recipient: { ...transfer.recipient, unit_id: 'riverside-metro' },
  });
  t.equal(wrongRecipient.statusCode, 400, 'an export under a grant goes to the organ that asked');
  t.equal(wrongRecipient.json().errors[0].path, '/recipient/unit_id');
  const registered = await post('/v1/transfers', li, transfer);
  t.equal(registered.statusCode, 201, 'the unit whose footage it is registers the hand-over');
  const transferId = registered.json().transfer_id as string;
  const entry = (
    await app.inject({ method: 'GET', url: `/v1/ledger/entries/${registered.json().receipt.seq}`, headers: admin })
  ).json().entry;
  t.match(entry.payload.recipient, { unit_id: 'riverside-procuratorate', subject: 'pr-zhou' }, 'to the officer of the grant');

  const released = await download(zhou);
  t.equal(released.statusCode, 204, 'now the download passes');
  t.equal(released.headers['x-decision-id'], decisionId, 'under the registered decision');
  const count = await service.entryCount();
  t.equal((await download(zhou)).statusCode, 204);
  t.equal(await service.entryCount(), count, 'a release writes nothing more: the decision and transfer are the record');
  const inner = new Date(Date.parse(window.from) + HOUR).toISOString();
  t.equal(
    (await download(zhou, `/export/cam-square-north/${inner}/${window.to}/part.mp4?grant=${grantId}&reason=x`)).statusCode,
    204,
    'a window inside the registered one',
  );
  const south = await download(zhou, `/export/cam-square-south/${window.from}/${window.to}/x.mp4?grant=${grantId}&reason=x`);
  t.equal(south.statusCode, 403, 'another camera is decided on its own: the grant does not cover it');
  t.equal((await download(li)).statusCode, 403, 'another person is not released by this transfer');

  const acknowledge = (headers: Record<string, string>, sha = SHA) =>
    post(`/v1/transfers/${transferId}/acknowledgement`, headers, { file_sha256: sha });
  t.equal((await acknowledge(li)).statusCode, 403, 'the handing-over unit does not acknowledge its own transfer');
  const acknowledged = await acknowledge(zhou);
  t.equal(acknowledged.statusCode, 201);
  t.same(acknowledged.json().matches, true);
  t.equal((await acknowledge(zhou)).statusCode, 409, 'once');
  const listed = (await app.inject({ method: 'GET', url: '/v1/transfers?received=true', headers: zhou })).json();
  t.match(listed.items, [
    { transfer_id: transferId, recipient_unit_id: 'riverside-procuratorate', acknowledgement: { matches: true } },
  ]);

  const report = (await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin })).json();
  t.notOk(
    report.unregistered_exports.some((item: { decision_id: string }) => item.decision_id === decisionId),
    'the export is registered in the report',
  );
  t.same(report.transfer_mismatches, []);

  await post(`/v1/grants/${grantId}/revocation`, li, { reason: 'case closed' }).then((answer) =>
    t.equal(answer.statusCode, 200, `the grant is revoked: ${answer.body}`),
  );
  t.equal((await download(zhou)).statusCode, 403, 'a revoked grant releases nothing more');
});

t.test('a unit’s own export to another unit: the receiving unit acknowledges, and another file is a finding', async (t) => {
  const { service, as } = await district(t);
  const { app } = service.service;
  const post = (url: string, headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url, headers, payload });
  const li = await as('sup-li', 'riverside-psb');
  const ma = await as('sup-ma', 'riverside-metro');
  const admin = await as('admin', 'dev');
  const decided = (
    await post('/v1/decisions', li, {
      camera_id: 'cam-square-north',
      action: 'export',
      window,
      purpose: 'case_handling',
      reason: 'shared incident',
    })
  ).json();
  t.equal(decided.decision, 'allow');
  const transfer = {
    decision_id: decided.decision_id,
    content: content(),
    recipient: { unit: 'Riverside Metro Operations', person_name: 'Ma Jun', unit_id: 'riverside-metro' },
    reason: 'shared incident',
  };
  const unknown = await post('/v1/transfers', li, { ...transfer, recipient: { ...transfer.recipient, unit_id: 'nowhere' } });
  t.equal(unknown.statusCode, 400, 'a recipient unit_id must be in the registry');
  const subjectAlone = await post('/v1/transfers', li, {
    ...transfer,
    recipient: { unit: 'x', person_name: 'y', subject: 'someone' },
  });
  t.equal(subjectAlone.statusCode, 400, 'a recipient subject needs its unit');
  const registered = await post('/v1/transfers', li, transfer);
  t.equal(registered.statusCode, 201);
  const transferId = registered.json().transfer_id;
  const other = await post(`/v1/transfers/${transferId}/acknowledgement`, await as('sup-li', 'riverside-psb'), {
    file_sha256: SHA,
  });
  t.equal(other.statusCode, 403, 'only the receiving unit acknowledges');
  t.equal(
    (await post(`/v1/transfers/${transferId}/acknowledgement`, await as('op-wang', 'riverside-metro'), { file_sha256: SHA }))
      .statusCode,
    403,
    'with transfer:acknowledge there',
  );
  t.equal(
    (await post('/v1/transfers/2b1f7c52-6a0e-4d36-9d7c-5b0f0c8a1e11/acknowledgement', ma, { file_sha256: SHA })).statusCode,
    404,
  );
  const received = await post(`/v1/transfers/${transferId}/acknowledgement`, ma, { file_sha256: 'c'.repeat(64) });
  t.equal(received.statusCode, 201, 'a receipt of another file is recorded all the same');
  t.equal(received.json().matches, false);
  const acknowledgedEntry = (
    await app.inject({ method: 'GET', url: `/v1/ledger/entries/${received.json().receipt.seq}`, headers: admin })
  ).json().entry;
  t.match(acknowledgedEntry, {
    kind: 'transfer.acknowledged',
    actor: { subject: 'sup-ma', unit: 'riverside-metro' },
    payload: { transfer_id: transferId, file_sha256: 'c'.repeat(64), registered_sha256: SHA, matches: false },
  });
  const report = (await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin })).json();
  t.match(report.transfer_mismatches, [
    { code: 'TRANSFER_HASH_MISMATCH', article: '23(3)', transfer_id: transferId, received_sha256: 'c'.repeat(64) },
  ]);
  const csv = await app.inject({ method: 'GET', url: '/v1/compliance/report?format=csv', headers: admin });
  t.match(csv.body, new RegExp(`transfer_mismatches,TRANSFER_HASH_MISMATCH,23\\(3\\).*${transferId}`));
});
