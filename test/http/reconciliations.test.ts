import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { reconcileCommand } from '../../src/cli/reconcile.js';
import { capturedIo } from '../helpers/cli-io.js';
import { exampleDistrict, startTestService, type TestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const from = Math.floor((Date.now() - 3 * HOUR) / 1000);
const to = from + 600;
const segment = (camera: string) => `/hls/${camera}/${from}/${to}/segment-00001.ts`;

async function reconciliationService(t: { teardown(fn: () => Promise<void>): void }) {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(
    await exampleDistrict([
      { subject: 'gw-river', role: 'gateway', unit_id: 'riverside-psb' },
      { subject: 'aud-qian', role: 'auditor', unit_id: 'city-oversight' },
    ]),
  );
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const decision = (
    await app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: await as('op-wang', 'riverside-psb'),
      payload: {
        camera_id: 'cam-square-north',
        action: 'playback',
        window: { from: new Date(from * 1000).toISOString(), to: new Date(to * 1000).toISOString() },
        purpose: 'public_safety',
        reason: 'incident 2026-118',
      },
    })
  ).json() as { decision_id: string };
  return { service, app, as, decisionId: decision.decision_id };
}

/** A line as the shipped `footage_warden` log format writes it. */
function logLine(fields: Record<string, unknown>): string {
  const ended = Date.now();
  return JSON.stringify({
    time: new Date(ended).toISOString(),
    msec: ended / 1000,
    request_time: 0.004,
    method: 'GET',
    path: segment('cam-square-north'),
    status: 200,
    bytes: 188_000,
    decision: '',
    ...fields,
  });
}

async function entry(service: TestService, ref: string) {
  const row = await service.database.handle.db
    .selectFrom('ledger_entries')
    .select(['kind', 'canonical'])
    .where('ref', '=', ref)
    .executeTakeFirstOrThrow();
  return { kind: row.kind, payload: JSON.parse(Buffer.from(row.canonical).toString('utf8')).payload };
}

t.test("a gateway's access log is held against the decisions: each request served without one is found", async (t) => {
  const { service, app, as, decisionId } = await reconciliationService(t);
  const log = [
    logLine({ decision: decisionId }),
    logLine({ decision: decisionId, path: `/hls/cam-square-north/${from}/${to}/index.m3u8`, status: 304, bytes: 0 }),
    logLine({}),
    logLine({ decision: 'f0f0f0f0-0000-4000-8000-000000000000' }),
    logLine({ decision: decisionId, path: segment('cam-square-south') }),
    logLine({ status: 401, bytes: 0 }),
    logLine({ path: '/player.html' }),
    logLine({ path: segment('cam-metro-hall') }),
    '{"path": "/hls/cam-square-north", "status": 2',
    '',
    `${logLine({ decision: decisionId })}\r`,
  ].join('\n');
  const gateway = await as('gw-river', 'riverside-psb');
  const answer = await app.inject({
    method: 'POST',
    url: '/v1/reconciliations',
    headers: { ...gateway, 'content-type': 'application/x-ndjson' },
    payload: log,
  });
  t.equal(answer.statusCode, 201);
  const result = answer.json();
  t.match(result.counts, {
    lines: 10,
    unreadable: 1,
    out_of_scope: 1,
    not_footage: 1,
    refused: 1,
    served: 6,
    reconciled: 3,
    served_without_decision: 2,
    served_outside_decision: 1,
  });
  t.equal(result.input.sha256, createHash('sha256').update(log).digest('hex'), 'the SHA-256 of the exact input');
  t.same(
    result.findings.map((finding: { problem: string; line?: number }) => `${finding.problem}@${finding.line}`),
    ['unreadable-line@9', 'no-decision@3', 'unknown-decision@4', 'other-camera@5'],
  );
  t.match(result.findings[1], { code: 'FOOTAGE_SERVED_WITHOUT_DECISION', article: '23(3)', camera_id: 'cam-square-north' });
  t.match(result.findings[3], { code: 'FOOTAGE_SERVED_OUTSIDE_DECISION', decision_id: decisionId });
  const recorded = await entry(service, result.reconciliation_id);
  t.equal(recorded.kind, 'reconciliation.completed');
  t.match(recorded.payload, { counts: result.counts, input: result.input, sources: { access_log: 'nginx', sessions: true } });

  const report = await app.inject({
    method: 'GET',
    url: '/v1/compliance/report',
    headers: await as('aud-qian', 'city-oversight'),
  });
  const body = report.json();
  t.equal(body.served_without_decision.length, 3, 'the report lists what the reconciliation found');
  t.equal(body.served_outside_decision.length, 1);
  t.match(body.served_outside_decision[0], { reconciliation_id: result.reconciliation_id, problem: 'other-camera' });
  t.match(body.reconciliations, [{ reconciliation_id: result.reconciliation_id, counts: { served: 6 } }]);
  t.equal(body.citations.served_without_decision, 'Article 23(3)');
  const csv = await app.inject({
    method: 'GET',
    url: '/v1/compliance/report?format=csv',
    headers: await as('aud-qian', 'city-oversight'),
  });
  t.match(csv.body, /served_outside_decision,FOOTAGE_SERVED_OUTSIDE_DECISION/);

  // The oversight organ reconciles every unit's cameras.
  const everything = await app.inject({
    method: 'POST',
    url: '/v1/reconciliations',
    headers: { ...(await as('aud-qian', 'city-oversight')), 'content-type': 'text/plain' },
    payload: log,
  });
  t.match(everything.json().counts, { out_of_scope: 0, served: 7, served_without_decision: 3 });
});

t.test('sessions started and never stopped, or stopped and never started, are found for the period', async (t) => {
  const { app, as, decisionId } = await reconciliationService(t);
  const gateway = await as('gw-river', 'riverside-psb');
  const event = (kind: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/ledger/events', headers: gateway, payload: { kind, payload } });
  await event('playback.started', { camera_id: 'cam-square-north', session_id: 'complete', decision_id: decisionId });
  await event('playback.stopped', {
    camera_id: 'cam-square-north',
    session_id: 'complete',
    decision_id: decisionId,
    bytes_served: 9,
  });
  await event('playback.started', { camera_id: 'cam-square-north', session_id: 'open', decision_id: decisionId });
  await event('playback.stopped', { camera_id: 'cam-square-north', session_id: 'orphan', decision_id: decisionId });
  await event('playback.started', { camera_id: 'cam-square-north', session_id: 'unasked' });
  const period = new URLSearchParams({
    from: new Date(Date.now() - HOUR).toISOString(),
    // Sessions younger than six hours before the period's end may still be running.
    to: new Date(Date.now() + 7 * HOUR).toISOString(),
  });
  const answer = await app.inject({ method: 'POST', url: `/v1/reconciliations?${period}`, headers: gateway });
  t.equal(answer.statusCode, 201);
  const result = answer.json();
  t.equal(result.input, null);
  t.match(result.counts, { sessions: 4, sessions_without_decision: 1, sessions_not_stopped: 2, sessions_not_started: 1 });
  const recent = new URLSearchParams({ from: period.get('from') as string, to: new Date().toISOString() });
  const early = (await app.inject({ method: 'POST', url: `/v1/reconciliations?${recent}`, headers: gateway })).json();
  t.match(early.counts, { sessions_not_stopped: 0, sessions_without_decision: 1 }, 'a session just begun is not yet unstopped');
});

t.test('a reconciliation refuses what it cannot read, and whom it does not serve', async (t) => {
  const { app, as } = await reconciliationService(t);
  const gateway = await as('gw-river', 'riverside-psb');
  const post = (url: string, headers: Record<string, string>, payload?: string) =>
    app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });
  const json = await post('/v1/reconciliations', { ...gateway, 'content-type': 'application/json' }, '{"lines": []}');
  t.equal(json.statusCode, 400);
  t.match(json.json(), { errors: [{ path: '/content-type' }] });
  const half = await post(`/v1/reconciliations?from=${new Date().toISOString()}`, gateway);
  t.equal(half.statusCode, 400);
  t.match(half.json(), { errors: [{ path: '/to' }] });
  const nothing = await post('/v1/reconciliations', gateway);
  t.equal(nothing.statusCode, 400, 'neither a log nor a period');
  const operator = await post(
    '/v1/reconciliations',
    { ...(await as('op-wang', 'riverside-psb')), 'content-type': 'text/plain' },
    'x',
  );
  t.equal(operator.statusCode, 403);
  const endless = await post(
    '/v1/reconciliations',
    { ...gateway, 'content-type': 'text/plain' },
    `${'x'.repeat(100_000)}\n${logLine({})}`,
  );
  t.equal(endless.statusCode, 201);
  t.match(
    endless.json().counts,
    { lines: 2, unreadable: 1, served_without_decision: 1 },
    'an endless line is one unreadable line',
  );
});

t.test('footage-warden reconcile streams a log to the service and exits 1 on findings, 0 when clean', async (t) => {
  const { service, app, as, decisionId } = await reconciliationService(t);
  t.teardown(() => {
    if (t.passing()) return;
    console.error(service.logs.filter((line) => line.includes('"level":50')).join('\n'));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-reconcile-'));
  t.teardown(() => rm(directory, { recursive: true, force: true }));
  const clean = path.join(directory, 'clean.log');
  const dirty = path.join(directory, 'dirty.log');
  await writeFile(clean, `${logLine({ decision: decisionId })}\n`);
  await writeFile(dirty, `${logLine({ decision: decisionId })}\n${logLine({})}\n`);
  const env = { FOOTAGE_WARDEN_TOKEN: (await as('gw-river', 'riverside-psb')).authorization.slice('Bearer '.length) };
  let io = capturedIo(env);
  t.equal(await reconcileCommand.run([clean, '--url', url, '--no-sessions'], io), 0, io.err);
  t.match(io.err, /nothing unaccounted for/);
  io = capturedIo(env);
  t.equal(await reconcileCommand.run([dirty, '--url', url], io), 1);
  t.match(JSON.parse(io.out), { counts: { served_without_decision: 1 } });
  io = capturedIo({});
  await t.rejects(reconcileCommand.run([clean, '--url', url], io), /FOOTAGE_WARDEN_TOKEN/);
  io = capturedIo(env);
  await t.rejects(reconcileCommand.run([path.join(directory, 'missing.log'), '--url', url], io), /not a readable file/);
  io = capturedIo({ FOOTAGE_WARDEN_TOKEN: 'not-a-token' });
  t.equal(await reconcileCommand.run([clean, '--url', url], io), 2);
  t.match(io.err, /401/);
});
