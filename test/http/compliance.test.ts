import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { CSV_COLUMNS } from '../../src/http/routes/compliance-csv.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const window = { from: new Date(Date.now() - 4 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };

t.test('the compliance report finds what the articles require, from the registry and the recorded decisions', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const admin = await as('admin', 'dev');
  const li = await as('sup-li', 'riverside-psb');
  const post = async (url: string, headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url, headers, payload });
  const decide = async (headers: Record<string, string>, body: object) =>
    (await post('/v1/decisions', headers, { purpose: 'case_handling', reason: 'case 2026-0042', window, ...body })).json();

  const kept = await decide(li, { camera_id: 'cam-square-north', action: 'export' });
  const unregistered = await decide(li, { camera_id: 'cam-square-south', action: 'export' });
  t.equal(kept.decision, 'allow');
  const transfer = await post('/v1/transfers', li, {
    decision_id: kept.decision_id,
    content: { camera_id: 'cam-square-north', window, file_sha256: 'a'.repeat(64), size_bytes: 1024, description: 'clip' },
    recipient: { unit: 'Riverside District Court', person_name: 'Judge Xu Ping' },
    reason: 'evidence',
  });
  t.equal(transfer.statusCode, 201);
  const zhao = await as('op-zhao', 'riverside-psb');
  await decide(zhao, { camera_id: 'cam-square-north', action: 'playback' });
  await decide(zhao, { camera_id: 'cam-river-road', action: 'playback' });
  await decide(await as('metro-sun', 'riverside-metro'), { camera_id: 'cam-metro-restroom', action: 'playback' });

  const zhou = await as('pr-zhou', 'riverside-procuratorate');
  const submitted = await post(
    '/v1/access-requests',
    zhou,
    stateOrganRequest('RP-C-1', { camera_ids: ['cam-square-north'], window, actions: ['playback'] }),
  );
  const approved = await post(`/v1/access-requests/${submitted.json().id}/decisions`, li, {
    decision: 'approve',
    reason: 'in order',
  });
  const grantId = approved.json().grant_id as string;
  const underGrant = { camera_id: 'cam-square-north', action: 'playback', grant_id: grantId };
  t.equal((await decide(zhou, { ...underGrant, camera_id: 'cam-square-south' })).decision, 'deny', 'outside the grant');
  await post(`/v1/grants/${grantId}/revocation`, li, { reason: 'case closed' });
  const late = await decide(zhou, underGrant);
  t.equal(late.decision, 'deny');

  const verification = await app.inject({ method: 'POST', url: '/v1/ledger/verifications', headers: admin, payload: {} });
  t.equal(verification.statusCode, 200);

  const response = await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin });
  t.equal(response.statusCode, 200);
  const report = response.json();
  t.match(report.filing, [
    { code: 'FILING_OVERDUE', article: '17', system_id: 'riverside-metro-stations', due_on: '2026-10-15' },
  ]);
  t.equal(report.filing.length, 1, 'the filed system is not listed');
  t.same(report.signage, [
    { code: 'NO_SIGNAGE', article: '15', system_id: 'riverside-metro-stations', unit_id: 'riverside-metro' },
  ]);
  t.match(report.prohibited_locations, [
    { code: 'PROHIBITED_LOCATION', article: '11', camera_id: 'cam-metro-restroom', location_class: 'restroom' },
  ]);
  t.same(
    report.personnel.map((item: { code: string; subject: string }) => [item.code, item.subject]),
    [['TRAINING_LAPSED', 'op-zhao']],
  );
  t.match(report.unregistered_exports, [
    {
      code: 'TRANSFER_NOT_REGISTERED',
      article: '23(3)',
      decision_id: unregistered.decision_id,
      status: 'open',
      person: 'sup-li',
    },
  ]);
  t.equal(report.unregistered_exports.length, 1, 'the transferred export is not listed');
  t.match(report.expired_grant_attempts, [
    { code: 'GRANT_USED_AFTER_EXPIRY', article: '24', decision_id: late.decision_id, grant_id: grantId, grant_status: 'revoked' },
  ]);
  t.equal(report.expired_grant_attempts.length, 1, 'a grant still running that does not cover is not a late use');
  t.same(report.decisions, { total: 7, denied: 5 });
  t.same(report.denials_by_unit_camera, [
    { unit_id: 'riverside-metro', camera_id: 'cam-metro-restroom', count: 1 },
    { unit_id: 'riverside-psb', camera_id: 'cam-river-road', count: 1 },
    { unit_id: 'riverside-psb', camera_id: 'cam-square-north', count: 2 },
    { unit_id: 'riverside-psb', camera_id: 'cam-square-south', count: 1 },
  ]);
  t.same(report.denials_by_day, [{ day: new Date().toISOString().slice(0, 10), count: 5 }]);
  t.match(report.accesses_by_camera, [
    { camera_id: 'cam-metro-restroom', allowed: 0, denied: 1 },
    { camera_id: 'cam-river-road', allowed: 0, denied: 1 },
    { camera_id: 'cam-square-north', allowed: 1, denied: 2 },
    { camera_id: 'cam-square-south', allowed: 1, denied: 1 },
  ]);
  t.match(report.last_verification, { result: { ok: true, first_failure: null } });

  const earlier = await app.inject({
    method: 'GET',
    url: `/v1/compliance/report?to=${encodeURIComponent(new Date(Date.now() - HOUR).toISOString())}`,
    headers: admin,
  });
  t.same(earlier.json().decisions, { total: 0, denied: 0 }, 'the period bounds the decisions counted');

  const csv = await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: { ...admin, accept: 'text/csv' } });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  t.match(csv.headers['content-disposition'], /attachment; filename="compliance-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"/);
  const lines = csv.body.trimEnd().split('\r\n');
  t.equal(lines[0], CSV_COLUMNS.join(','));
  t.ok(lines.includes('signage,NO_SIGNAGE,15,riverside-metro,riverside-metro-stations,,,,,,'), 'a finding is one row');
  t.ok(lines.includes('denials_by_unit_camera,,,riverside-psb,,cam-square-north,,,,,2'), 'a count is one row');
  t.ok(
    lines.every((line) => line.split(',').length >= CSV_COLUMNS.length),
    'every row has every column',
  );
  const viaQuery = await app.inject({ method: 'GET', url: '/v1/compliance/report?format=csv', headers: admin });
  t.equal(viaQuery.body.split('\r\n')[0], lines[0]);

  t.equal(
    (await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: li })).statusCode,
    403,
    'supervisors do not read it',
  );
  const badQueries: [string, string][] = [
    [
      `from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() - HOUR).toISOString())}`,
      '/from',
    ],
    ['from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', '/from'],
    ['from=yesterday', '/from'],
    ['format=xml', '/format'],
  ];
  for (const [query, field] of badQueries) {
    const bad = await app.inject({ method: 'GET', url: `/v1/compliance/report?${query}`, headers: admin });
    t.equal(bad.statusCode, 400, query);
    t.match(bad.json().errors, [{ location: 'querystring', path: field }], query);
  }
});

t.test('a report names the checkpoint it was computed over, and issuing it records the hash of what was served', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  const li = { authorization: `Bearer ${await service.token('sup-li', 'riverside-psb')}` };
  const decided = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: li,
    payload: { camera_id: 'cam-square-north', action: 'playback', purpose: 'case_handling', reason: 'case 2026-0042', window },
  });
  const decisionSeq = decided.json().receipt.seq as number;
  for (const format of ['json', 'csv'] as const) {
    // Each issued report is an entry: the next one is computed over a larger tree.
    const checkpoint = await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' });
    const [, size, root] = checkpoint.body.split('\n');
    const before = await service.entryCount();
    const response = await app.inject({ method: 'GET', url: `/v1/compliance/report?format=${format}`, headers: admin });
    t.equal(response.statusCode, 200);
    if (format === 'json') {
      const report = response.json();
      t.equal(report.checkpoint.tree_size, Number(size), 'the latest checkpoint when it was compiled');
      t.equal(report.checkpoint.root, Buffer.from(root as string, 'base64').toString('hex'));
      t.ok(report.checkpoint.tree_size > decisionSeq, 'which holds the decision it counts');
    } else {
      t.match(
        response.body,
        new RegExp(`\\r\\ncheckpoint,+${Buffer.from(root as string, 'base64').toString('hex')},+\\d+\\r\\n`),
      );
    }
    t.equal(await service.entryCount(), before + 1, 'one entry recorded');
    const { entry } = (
      await app.inject({
        method: 'GET',
        url: `/v1/ledger/entries/${response.headers['footage-warden-report-entry']}`,
        headers: admin,
      })
    ).json();
    t.equal(entry.kind, 'report.issued');
    t.equal(entry.payload.format, format);
    t.equal(entry.payload.sha256, createHash('sha256').update(response.rawPayload).digest('hex'), 'the hash of the bytes served');
    t.equal(response.headers['footage-warden-report-sha256'], entry.payload.sha256);
    t.same(entry.actor, { unit: 'dev', subject: 'admin' });
  }
});

t.test('no report leaves the service unrecorded', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  await service.service.appender.close();
  const response = await service.service.app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin });
  t.equal(response.statusCode, 503);
});
