import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const from = Math.floor((Date.now() - 3 * HOUR) / 1000);
const to = from + 600;
const base = `/hls/cam-square-north/${from}/${to}`;

/** The path nginx serves: the decoded path, after a signed prefix (its `$footage_warden_path`). */
function servedPath(uri: string): string {
  const path = decodeURIComponent(uri.split('?')[0] as string).replace(/^\/s\/[^/]+/, '');
  return Buffer.from(path === '' ? '/' : path).toString('latin1');
}

async function sessionService(t: { teardown(fn: () => Promise<void>): void }, env: Record<string, string> = {}) {
  const service = await startTestService(env);
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const gate = (uri: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'GET',
      url: '/v1/gate',
      headers: { 'x-original-uri': uri, 'x-served-uri': servedPath(uri), ...headers },
    });
  /** A playback token from a decision, as a video management system asks for one. */
  const playbackToken = async (camera = 'cam-square-north', window = { from, to }) => {
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}` },
      payload: {
        camera_id: camera,
        action: 'playback',
        window: { from: new Date(window.from * 1000).toISOString(), to: new Date(window.to * 1000).toISOString() },
        purpose: 'public_safety',
        reason: 'incident 2026-118',
        playback_token: true,
      },
    });
    const body = answer.json() as { playback_token: string; decision_id: string };
    return { token: body.playback_token, decisionId: body.decision_id };
  };
  return { service, gate, playbackToken };
}

t.test('a signed prefix admits every playlist and segment of its session under one decision entry', async (t) => {
  const { service, gate, playbackToken } = await sessionService(t);
  const { token, decisionId } = await playbackToken();
  const before = await service.entryCount();
  for (const name of ['index.m3u8', 'segment-0000.ts', 'segment-0001.ts', 'key.bin']) {
    const answer = await gate(`/s/${token}${base}/${name}`);
    t.equal(answer.statusCode, 204, name);
    t.equal(answer.headers['x-decision-id'], decisionId, `${name} is served under the session's decision`);
    t.notOk(answer.headers['set-cookie'], 'a prefix needs no cookie');
  }
  t.equal(await service.entryCount(), before, 'the session writes nothing beyond its decision');
});

t.test('a signed prefix opens no other camera, window or action, and a malformed one is refused', async (t) => {
  const { service, gate, playbackToken } = await sessionService(t);
  const { token } = await playbackToken();
  const refusals: Array<[string, number, string?]> = [
    [`/s/${token}/hls/cam-square-south/${from}/${to}/index.m3u8`, 403, 'TOKEN_DOES_NOT_COVER'],
    [`/s/${token}/hls/cam-square-north/${from - 1}/${to}/index.m3u8`, 403, 'TOKEN_DOES_NOT_COVER'],
    [`/s/${token}/hls/cam-square-north/${from}/${to + 1}/index.m3u8`, 403, 'TOKEN_DOES_NOT_COVER'],
    [`/s/${token}/export/cam-square-north/${from}/${to}/file.mp4`, 403, 'TOKEN_DOES_NOT_COVER'],
    [`/s/${token}/live/cam-square-north/index.m3u8`, 403, 'TOKEN_DOES_NOT_COVER'],
    [`/s/${token.slice(0, -4)}AAAA${base}/index.m3u8`, 401],
    [`/s/not-a-token${base}/index.m3u8`, 401],
    [`/s/${token}`, 401],
    [`/s//${token}${base}/index.m3u8`, 401],
    [`/s/${token}%2F..${base}/index.m3u8`, 401],
  ];
  for (const [uri, status, reasons] of refusals) {
    const answer = await gate(uri);
    t.equal(answer.statusCode, status, uri.replace(token, '<token>'));
    if (reasons !== undefined) t.equal(answer.headers['x-deny-reasons'], reasons);
  }
  const count = await service.entryCount();
  const ambiguous = await gate(`/s/${token}/hls/cam-square-north/${from}/${to}/..%2F..%2Fcam-square-south/index.m3u8`);
  t.equal(ambiguous.statusCode, 403);
  t.equal(ambiguous.headers['x-deny-reasons'], 'AMBIGUOUS_URI');
  t.equal(await service.entryCount(), count + 1, 'an ambiguous path under a prefix is a recorded refusal');
  const newest = await service.database.handle.db
    .selectFrom('ledger_entries')
    .select('canonical')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const recorded = Buffer.from(newest.canonical).toString('utf8');
  t.match(recorded, '"gate.refused"');
  t.notOk(recorded.includes(token), 'the refusal does not record the token');
  t.notOk(recorded.includes(token.split('.')[2] as string), 'nor its signature');
});

t.test('a token in the URI comes back as an HttpOnly, SameSite=Strict cookie scoped to its camera and window', async (t) => {
  const { service, gate, playbackToken } = await sessionService(t);
  const { token, decisionId } = await playbackToken();
  const first = await gate(`${base}/index.m3u8?token=${token}`);
  t.equal(first.statusCode, 204);
  const cookie = String(first.headers['set-cookie']);
  t.match(cookie, new RegExp(`^fw_playback=${token.replace(/[.-]/g, '\\$&')}; `));
  t.match(cookie, `; Path=${base}/;`);
  t.match(cookie, /; HttpOnly; Secure; SameSite=Strict$/);
  const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
  t.ok(maxAge > 0 && maxAge <= 900, `Max-Age ${maxAge} is the token's remaining life`);

  const before = await service.entryCount();
  const segment = await gate(`${base}/segment-0001.ts`, { cookie: `other=1; fw_playback=${token}` });
  t.equal(segment.statusCode, 204, 'a segment carrying only the cookie is admitted');
  t.equal(segment.headers['x-decision-id'], decisionId);
  t.notOk(segment.headers['set-cookie'], 'the cookie is set once, from the URI');
  t.equal(await service.entryCount(), before);

  const elsewhere = await gate(`/hls/cam-square-south/${from}/${to}/segment-0001.ts`, { cookie: `fw_playback=${token}` });
  t.equal(elsewhere.statusCode, 403, 'the cookie opens no other camera');
  t.equal(elsewhere.headers['x-deny-reasons'], 'TOKEN_DOES_NOT_COVER');
  const otherWindow = await gate(`/hls/cam-square-north/${from}/${to + 60}/segment-0001.ts`, { cookie: `fw_playback=${token}` });
  t.equal(otherWindow.statusCode, 403, 'nor another window');

  // Two sessions' cookies under different paths: the one that covers the request is taken.
  const south = await playbackToken('cam-square-south');
  const both = await gate(`/hls/cam-square-south/${from}/${to}/segment-0001.ts`, {
    cookie: `fw_playback=${token}; fw_playback=${south.token}`,
  });
  t.equal(both.statusCode, 204);
  t.equal(both.headers['x-decision-id'], south.decisionId);

  const garbage = await gate(`${base}/segment-0001.ts`, { cookie: 'fw_playback=not.a.token' });
  t.equal(garbage.statusCode, 401, 'an invalid cookie authenticates no one');
  const none = await gate(`${base}/segment-0001.ts`);
  t.equal(none.statusCode, 401);
});

t.test('a session credential lives no longer than PLAYBACK_TOKEN_TTL_SECONDS', async (t) => {
  const { gate, playbackToken } = await sessionService(t, { PLAYBACK_TOKEN_TTL_SECONDS: '5' });
  const { token } = await playbackToken();
  const live = await gate(`/s/${token}${base}/index.m3u8`);
  t.equal(live.statusCode, 204);
  const cookie = await gate(`${base}/index.m3u8?token=${token}`);
  t.ok(Number(/Max-Age=(\d+)/.exec(String(cookie.headers['set-cookie']))?.[1]) <= 5);
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  const expired = await gate(`/s/${token}${base}/segment-0002.ts`);
  t.equal(expired.statusCode, 401, 'the prefix stops working when its token expires');
  const expiredCookie = await gate(`${base}/segment-0002.ts`, { cookie: `fw_playback=${token}` });
  t.equal(expiredCookie.statusCode, 401, 'so does the cookie');
});
