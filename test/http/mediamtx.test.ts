import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import type { Environment } from '../../src/config.js';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { GATE_PROFILE_FILE } from '../../src/profiles.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { exampleDistrict, startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const start = new Date(Math.floor((Date.now() - 3 * HOUR) / 1000) * 1000).toISOString();

async function mediamtxService(t: { teardown(fn: () => Promise<void>): void }, env: Environment = {}) {
  const service = await startTestService(env);
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const auth = (body: Record<string, unknown>) =>
    service.service.app.inject({
      method: 'POST',
      url: '/v1/integrations/mediamtx/auth',
      payload: { user: '', password: '', token: '', ip: '10.0.0.8', path: '', protocol: 'rtsp', id: null, query: '', ...body },
    });
  return { service, auth };
}

t.test("MediaMTX's read and playback are decided and recorded; the request's credentials say who asks", async (t) => {
  const { service, auth } = await mediamtxService(t);
  const wang = await service.token('op-wang', 'riverside-psb');
  let count = await service.entryCount();
  const read = await auth({ action: 'read', path: 'cam-square-north', token: wang, protocol: 'webrtc' });
  t.equal(read.statusCode, 204);
  t.match(read.headers['x-decision-id'], /^[0-9a-f-]{36}$/);
  t.equal(await service.entryCount(), ++count);
  const again = await auth({ action: 'read', path: 'cam-square-north', password: wang, user: 'op-wang' });
  t.equal(again.headers['x-decision-id'], read.headers['x-decision-id'], 'a token in the password field; the allow is reused');
  t.equal(await service.entryCount(), count);

  const playback = await auth({
    action: 'playback',
    path: 'cam-square-north',
    token: wang,
    protocol: 'http',
    query: `start=${encodeURIComponent(start)}&duration=600s&reason=incident+2026-118`,
  });
  t.equal(playback.statusCode, 204);
  t.equal(await service.entryCount(), ++count);
  const entry = await service.database.handle.db
    .selectFrom('ledger_entries')
    .select('canonical')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const payload = JSON.parse(Buffer.from(entry.canonical).toString()).payload;
  t.match(payload, {
    action: 'playback',
    camera_id: 'cam-square-north',
    window: { from: start, to: new Date(Date.parse(start) + 600_000).toISOString() },
  });
  const inQuery = await auth({ action: 'read', path: 'cam-square-north', query: `jwt=${wang}` });
  t.equal(inQuery.statusCode, 204, 'a jwt query parameter');

  const noReason = await auth({ action: 'playback', path: 'cam-square-north', token: wang, query: `start=${start}&duration=60` });
  t.equal(noReason.statusCode, 403);
  t.equal(noReason.headers['x-deny-reasons'], 'REASON_REQUIRED');
  const zhao = await auth({ action: 'read', path: 'cam-square-north', token: await service.token('op-zhao', 'riverside-psb') });
  t.equal(zhao.statusCode, 403);
  t.equal(zhao.headers['x-deny-reasons'], 'TRAINING_LAPSED');
  count += 2;
  t.equal(await service.entryCount(), count);

  const refusals: [Record<string, unknown>, number, string][] = [
    [{ action: 'read', path: 'cam-square-north' }, 401, 'no credentials'],
    [{ action: 'read', path: 'cam-square-north', token: 'forged' }, 401, 'a forged token'],
    [{ action: 'publish', path: 'cam-square-north', token: wang }, 403, 'publish is not allowed by default'],
    [{ action: 'api', path: '', token: wang }, 403, 'neither is the api'],
    [{ action: 'read', path: 'cam-nowhere', token: wang }, 403, 'an unknown camera'],
    [{ action: 'read', path: 'a/b', token: wang }, 403, 'a path that names no camera'],
    [{ action: 'playback', path: 'cam-square-north', token: wang, query: 'duration=60' }, 400, 'no start'],
    [{ action: 'playback', path: 'cam-square-north', token: wang, query: `start=${start}&duration=-1` }, 400, 'bad duration'],
    [{ action: 'dance', path: 'cam-square-north', token: wang }, 400, 'an unknown action'],
  ];
  for (const [body, status, name] of refusals) {
    const answer = await auth(body);
    t.equal(answer.statusCode, status, name);
    t.match(answer.headers['content-type'], /application\/problem\+json/, name);
  }
  const badQuery = await auth({ action: 'playback', path: 'cam-square-north', token: wang, query: 'duration=60' });
  t.match(badQuery.json().errors, [{ location: 'body', path: '/query' }]);
  t.equal(await service.entryCount(), count, 'refusals write nothing');
});

t.test('actions listed in the gate profile pass for an authenticated caller, without a decision', async (t) => {
  const dataDir = t.testdir();
  const profile = (await readFile(GATE_PROFILE_FILE, 'utf8')).replace('allowed_actions: []', 'allowed_actions: [publish]');
  t.not(profile, await readFile(GATE_PROFILE_FILE, 'utf8'));
  const file = path.join(dataDir, 'gate.yaml');
  await writeFile(file, profile);
  const { service, auth } = await mediamtxService(t, { GATE_PROFILE: file });
  const count = await service.entryCount();
  const token = await service.token('camera-encoder', 'riverside-psb');
  t.equal((await auth({ action: 'publish', path: 'cam-square-north', token })).statusCode, 204);
  t.equal((await auth({ action: 'publish', path: 'cam-square-north' })).statusCode, 401, 'still only with a valid token');
  t.equal((await auth({ action: 'api', path: '', token })).statusCode, 403, 'what is not listed stays refused');
  t.equal(await service.entryCount(), count);
});

t.test("MediaMTX's path and query are read as strictly as nginx's URIs: ambiguity is refused and recorded", async (t) => {
  const { service, auth } = await mediamtxService(t);
  const wang = await service.token('op-wang', 'riverside-psb');
  const window = `start=${encodeURIComponent(start)}&duration=600s&reason=incident`;
  const attempts: [string, Record<string, unknown>][] = [
    ['a dot segment', { action: 'read', path: 'cam-square-north/../cam-metro-hall' }],
    ['an encoded separator', { action: 'read', path: 'cam-square-north%2F..%2Fcam-metro-hall' }],
    ['a leading slash', { action: 'read', path: '/cam-metro-hall' }],
    ['an empty segment', { action: 'read', path: 'cam-square-north//x' }],
    ['a NUL in the query', { action: 'playback', path: 'cam-square-north', query: `${window}&x=%00` }],
    ['a repeated reason', { action: 'playback', path: 'cam-square-north', query: `${window}&reason=other` }],
    ['a bad percent-encoding', { action: 'playback', path: 'cam-square-north', query: `${window}&purpose=%G0` }],
  ];
  let count = await service.entryCount();
  for (const [name, body] of attempts) {
    const answer = await auth({ ...body, token: wang });
    t.equal(answer.statusCode, 403, name);
    t.equal(answer.headers['x-deny-reasons'], 'AMBIGUOUS_URI', `${name}: says why`);
    t.equal(await service.entryCount(), ++count, `${name}: recorded`);
    t.same(await service.lastEntry(), { kind: 'gate.refused', ref: answer.headers['x-decision-id'] });
  }
});

t.test("MediaMTX's runOnRead and runOnUnread reports are recorded under the decision that admitted the reader", async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(await exampleDistrict([{ subject: 'gw-river', role: 'gateway', unit_id: 'riverside-psb' }]));
  const { app } = service.service;
  const gateway = { authorization: `Bearer ${await service.token('gw-river', 'riverside-psb')}` };
  const report = (payload: Record<string, unknown>, headers = gateway) =>
    app.inject({ method: 'POST', url: '/v1/integrations/mediamtx/sessions', headers, payload });
  const lastPayload = async () => {
    const row = await service.database.handle.db
      .selectFrom('ledger_entries')
      .select(['kind', 'canonical'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    return { kind: row.kind, payload: JSON.parse(Buffer.from(row.canonical).toString('utf8')).payload };
  };
  const wang = await service.token('op-wang', 'riverside-psb');
  const readerId = '4ee2a1a5-5b5c-4f3d-9a36-37d0a6b1c5a0';
  const allowed = await app.inject({
    method: 'POST',
    url: '/v1/integrations/mediamtx/auth',
    payload: { token: wang, ip: '10.0.0.8', action: 'read', path: 'cam-square-north', protocol: 'rtsp', id: readerId, query: '' },
  });
  const decisionId = allowed.headers['x-decision-id'];
  const started = await report({ event: 'read', path: 'cam-square-north', reader_id: readerId, reader_type: 'rtspSession' });
  t.equal(started.statusCode, 201);
  t.match(await lastPayload(), {
    kind: 'playback.started',
    payload: { decision_id: decisionId, session_id: `mediamtx:${readerId}`, gateway: 'mediamtx' },
  });
  const again = await report({ event: 'read', path: 'cam-square-north', reader_id: readerId });
  t.same(again.json(), { recorded: false }, 'a repeated start records nothing');
  const stopped = await report({ event: 'unread', path: 'cam-square-north', reader_id: readerId, bytes_sent: 4096 });
  t.equal(stopped.statusCode, 201);
  t.match(await lastPayload(), { kind: 'playback.stopped', payload: { decision_id: decisionId, bytes_served: 4096 } });

  // HLS readers reach the auth call without an id: the playback token in their query ties them.
  const decided = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: { authorization: `Bearer ${wang}` },
    payload: { camera_id: 'cam-square-north', action: 'live', purpose: 'public_safety', reason: 'watch', playback_token: true },
  });
  const { playback_token: token, decision_id: tokenDecision } = decided.json() as { playback_token: string; decision_id: string };
  await report({
    event: 'read',
    path: 'cam-square-north',
    reader_id: 'hls-muxer-1',
    query: encodeURIComponent(`token=${token}`),
  });
  t.match(await lastPayload(), { kind: 'playback.started', payload: { decision_id: tokenDecision } });
  // Older MediaMTX versions pass the query as the reader sent it.
  await report({ event: 'read', path: 'cam-square-north', reader_id: 'hls-muxer-2', query: `token=${token}` });
  t.match(await lastPayload(), { kind: 'playback.started', payload: { decision_id: tokenDecision } });

  const unknown = await report({ event: 'read', path: 'cam-square-north', reader_id: 'nobody-asked' });
  t.equal(unknown.statusCode, 201);
  const unasked = await lastPayload();
  t.notOk('decision_id' in unasked.payload, 'a reader no allow admitted is recorded without a decision, for reconciliation');

  const elsewhere = await report({ event: 'read', path: 'cam-metro-platform', reader_id: 'x' });
  t.equal(elsewhere.statusCode, 403, "another unit's camera is out of the gateway's scope");
  const operator = await report({ event: 'read', path: 'cam-square-north', reader_id: 'y' }, { authorization: `Bearer ${wang}` });
  t.equal(operator.statusCode, 403, 'only a gateway reports sessions');
  const ambiguous = await report({ event: 'read', path: 'cam-square-north/../x', reader_id: 'z' });
  t.equal(ambiguous.statusCode, 400);
  t.match(ambiguous.json(), { errors: [{ path: '/path' }] });
});
