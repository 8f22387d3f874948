import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import type { Environment } from '../../src/config.js';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { GATE_PROFILE_FILE } from '../../src/profiles.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

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
