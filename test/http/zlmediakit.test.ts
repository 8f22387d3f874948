/**
 * ZLMediaKit's hooks, with bodies shaped as its documentation and WebHook.cpp send them (every
 * field it adds, including the `header.*` members of on_http_access), and hostile variants.
 */
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService, type TestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const from = Math.floor((Date.now() - 3 * HOUR) / 1000);
const to = from + 600;

async function zlmService(t: { teardown(fn: () => Promise<void>): void }) {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const hook = (name: string, payload: unknown) =>
    service.service.app.inject({ method: 'POST', url: `/v1/integrations/zlmediakit/${name}`, payload: payload as object });
  return { service, hook };
}

/** on_play as ZLMediaKit posts it for an RTSP player. */
function onPlay(stream: string, params: string, id = '140574554653184-3', app = 'live') {
  return {
    app,
    id,
    ip: '10.0.17.132',
    params,
    port: 65217,
    schema: 'rtsp',
    stream,
    vhost: '__defaultVhost__',
    mediaServerId: 'zlm-riverside-1',
    hook_index: 0,
  };
}

/** on_http_access as ZLMediaKit posts it: the request's headers as `header.<name>` members. */
function onHttpAccess(path: string, params: string, headers: Record<string, string> = {}) {
  return {
    'header.Accept': '*/*',
    'header.Accept-Encoding': 'gzip, deflate',
    'header.Connection': 'keep-alive',
    'header.Host': '10.0.17.132',
    'header.User-Agent': 'Mozilla/5.0',
    ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [`header.${name}`, value])),
    id: '140574555383808-3',
    ip: '10.0.17.132',
    is_dir: false,
    params,
    path,
    port: 58491,
    mediaServerId: 'zlm-riverside-1',
    hook_index: 1,
  };
}

async function entriesAfter(service: TestService, count: number) {
  const rows = await service.database.handle.db
    .selectFrom('ledger_entries')
    .select(['kind', 'canonical'])
    .where('seq', '>=', count)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    kind: row.kind,
    payload: (JSON.parse(Buffer.from(row.canonical).toString('utf8')) as { payload: Record<string, unknown> }).payload,
  }));
}

t.test("on_play decides like the gate, answers in ZLMediaKit's shape and opens a session under the decision", async (t) => {
  const { service, hook } = await zlmService(t);
  const wang = await service.token('op-wang', 'riverside-psb');
  const count = await service.entryCount();
  const played = await hook('on_play', onPlay('cam-square-north', `token=${wang}`));
  t.equal(played.statusCode, 200);
  t.same(played.json(), { code: 0, msg: 'success' });
  const decisionId = played.headers['x-decision-id'];
  t.match(decisionId, /^[0-9a-f-]{36}$/);
  const recorded = await entriesAfter(service, count);
  t.same(
    recorded.map((entry) => entry.kind),
    ['decision.made', 'playback.started'],
  );
  t.match(recorded[1]?.payload, {
    camera_id: 'cam-square-north',
    decision_id: decisionId,
    gateway: 'zlmediakit',
    session_id: 'zlmediakit:zlm-riverside-1:140574554653184-3',
  });

  const stopped = await hook('on_flow_report', {
    app: 'live',
    duration: 6,
    params: `token=${wang}`,
    player: true,
    schema: 'rtsp',
    stream: 'cam-square-north',
    totalBytes: 1508161,
    vhost: '__defaultVhost__',
    ip: '10.0.17.132',
    port: 65217,
    id: '140574554653184-3',
    mediaServerId: 'zlm-riverside-1',
  });
  t.same(stopped.json(), { code: 0, msg: 'success' });
  const [stop] = await entriesAfter(service, count + 2);
  t.match(stop, {
    kind: 'playback.stopped',
    payload: { decision_id: decisionId, bytes_served: 1508161, duration_seconds: 6, camera_id: 'cam-square-north' },
  });
  const repeated = await hook('on_flow_report', {
    app: 'live',
    stream: 'cam-square-north',
    totalBytes: 1,
    player: true,
    id: '140574554653184-3',
    mediaServerId: 'zlm-riverside-1',
  });
  t.equal(repeated.statusCode, 200);
  const [unknown] = await entriesAfter(service, count + 3);
  t.notOk('decision_id' in (unknown?.payload ?? {}), 'a report after the session closed is recorded without a decision');

  // A GB/T 28181 platform's names: live {device}_{channel}, playback {channel}_{from}_{to}.
  const gb = await hook('on_play', onPlay('34020000001110000001_cam-square-south', `token=${wang}`, 'p-2', 'rtp'));
  t.same(gb.json(), { code: 0, msg: 'success' });
  const before = await service.entryCount();
  const playback = await hook(
    'on_play',
    onPlay(
      `cam-square-north_${from}_${to}`,
      `token=${wang}&reason=incident%202026-118&start=0&end=9999999999`,
      'p-3',
      'playback',
    ),
  );
  t.same(playback.json(), { code: 0, msg: 'success' });
  const [decision] = await entriesAfter(service, before);
  t.match(
    decision?.payload,
    {
      action: 'playback',
      window: { from: new Date(from * 1000).toISOString(), to: new Date(to * 1000).toISOString() },
    },
    "the window is the stream's, never the player's parameters",
  );
});

t.test("on_play refuses in ZLMediaKit's shape what the rules deny and what cannot be read one way", async (t) => {
  const { service, hook } = await zlmService(t);
  const zhao = await service.token('op-zhao', 'riverside-psb');
  const wang = await service.token('op-wang', 'riverside-psb');
  let count = await service.entryCount();
  const denied = await hook('on_play', onPlay('cam-square-north', `token=${zhao}`));
  t.equal(denied.statusCode, 200);
  t.match(denied.json(), { code: -100, msg: /TRAINING_LAPSED/ });
  t.equal(denied.headers['x-deny-reasons'], 'TRAINING_LAPSED');
  t.equal(await service.entryCount(), ++count, 'the deny is recorded, no session is opened');

  const ambiguous: Array<[string, string]> = [
    ['live', 'cam-square-north/../cam-square-south'],
    ['live', 'cam-square-north%2F..%2Fcam-square-south'],
    ['live/..', 'cam-square-north'],
    ['live', 'cam-square-north//x'],
    ['live', './cam-square-north'],
  ];
  for (const [app, stream] of ambiguous) {
    const answer = await hook('on_play', { ...onPlay(stream, `token=${wang}`), app });
    t.match(answer.json(), { code: -100 }, `${app}/${stream}`);
    t.equal(answer.headers['x-deny-reasons'], 'AMBIGUOUS_URI', `${app}/${stream} is a recorded refusal`);
    t.equal(await service.entryCount(), ++count);
  }
  const refusedWithoutEntry: Array<[string, Record<string, unknown>]> = [
    ['no token', onPlay('cam-square-north', '')],
    ['a forged token', onPlay('cam-square-north', 'token=eyJhbGciOiJIUzI1NiJ9.e30.x')],
    ['another vhost', { ...onPlay('cam-square-north', `token=${wang}`), vhost: 'other.example' }],
    ['a stream naming no camera', onPlay('cam-square-north', `token=${wang}`, 'x', 'vod')],
    ['a repeated token', onPlay('cam-square-north', `token=${wang}&token=${zhao}`)],
  ];
  for (const [what, body] of refusedWithoutEntry) {
    const answer = await hook('on_play', body);
    t.equal(answer.statusCode, 200, what);
    t.match(answer.json(), { code: -100, msg: /\S/ }, what);
  }
  t.equal(await service.entryCount(), count + 1, 'only the repeated parameter, an ambiguous query, is recorded');

  const malformed: Array<[string, unknown, string]> = [
    ['no app', { stream: 'cam-square-north' }, 'app'],
    ['a number for a stream', { app: 'live', stream: 7 }, 'stream'],
    ['a port out of range', { app: 'live', stream: 's', port: 70000 }, 'port'],
    ['an endless app', { app: 'a'.repeat(300), stream: 's' }, 'app'],
    ['endless params', { app: 'live', stream: 's', params: 'p'.repeat(9000) }, 'params'],
  ];
  for (const [what, body, field] of malformed) {
    const answer = await hook('on_play', body);
    t.equal(answer.statusCode, 400, what);
    t.match(answer.headers['content-type'], /application\/problem\+json/);
    t.match(answer.body, field, `${what}: the problem names ${field}`);
  }
  const notJson = await service.service.app.inject({
    method: 'POST',
    url: '/v1/integrations/zlmediakit/on_play',
    headers: { 'content-type': 'application/json' },
    payload: '{"app":',
  });
  t.equal(notJson.statusCode, 400);
});

t.test("a playback token in the player's parameters is admitted by its claims and opens nothing else", async (t) => {
  const { service, hook } = await zlmService(t);
  const answer = await service.service.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: { authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}` },
    payload: { camera_id: 'cam-square-north', action: 'live', purpose: 'public_safety', reason: 'watch', playback_token: true },
  });
  const { playback_token: token, decision_id: decisionId } = answer.json() as { playback_token: string; decision_id: string };
  const count = await service.entryCount();
  const played = await hook('on_play', onPlay('cam-square-north', `token=${token}`, 'tok-1'));
  t.same(played.json(), { code: 0, msg: 'success' });
  t.equal(played.headers['x-decision-id'], decisionId);
  const recorded = await entriesAfter(service, count);
  t.same(
    recorded.map((entry) => entry.kind),
    ['playback.started'],
    "no new decision: the session is started under the token's",
  );
  const other = await hook('on_play', onPlay('cam-square-south', `token=${token}`, 'tok-2'));
  t.match(other.json(), { code: -100, msg: /TOKEN_DOES_NOT_COVER/ });

  const unwatched = await hook('on_stream_none_reader', {
    app: 'live',
    schema: 'rtsp',
    stream: 'cam-square-north',
    vhost: '__defaultVhost__',
    mediaServerId: 'zlm-riverside-1',
  });
  t.same(unwatched.json(), { code: 0, close: false });
  const [closed] = await entriesAfter(service, count + 1);
  t.match(closed, {
    kind: 'playback.stopped',
    payload: { decision_id: decisionId, session_id: 'zlmediakit:zlm-riverside-1:tok-1' },
  });
  const publisher = await hook('on_flow_report', {
    app: 'live',
    stream: 'cam-square-north',
    totalBytes: 9,
    player: false,
    id: 'pub',
  });
  t.equal(publisher.statusCode, 200);
  t.equal(await service.entryCount(), count + 2, "a publisher's report records nothing");
});

t.test('on_http_access maps the file through the gate paths and tells ZLMediaKit which directory, for how long', async (t) => {
  const { service, hook } = await zlmService(t);
  const wang = await service.token('op-wang', 'riverside-psb');
  const directory = `/hls/cam-square-north/${from}/${to}/`;
  const allowed = await hook(
    'on_http_access',
    onHttpAccess(`${directory}index.m3u8`, '', { Authorization: `Bearer ${wang}`, 'X-Access-Reason': 'x' }),
  );
  t.equal(allowed.statusCode, 200);
  t.match(allowed.json(), { code: 0, err: /REASON_REQUIRED/, second: 0 }, 'playback needs a reason: a recorded deny');
  const withReason = await hook('on_http_access', onHttpAccess(`${directory}index.m3u8`, `token=${wang}&reason=incident`));
  const body = withReason.json() as { code: number; err: string; path: string; second: number };
  t.same({ code: body.code, err: body.err, path: body.path }, { code: 0, err: '', path: directory });
  t.ok(body.second > 0 && body.second <= 60, `remembered ${body.second} s: at most cache_seconds`);
  t.match(withReason.headers['x-decision-id'], /^[0-9a-f-]{36}$/);

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a directory', { ...onHttpAccess(directory, `token=${wang}`), is_dir: true }, /not listed/],
    ['an encoded dot', onHttpAccess(`/hls/cam-square-north/${from}/${to}/%2e%2e/x.ts`, `token=${wang}`), /AMBIGUOUS_URI/],
    ['a dot segment', onHttpAccess(`/hls/cam-square-north/${from}/${to}/../../x.ts`, `token=${wang}`), /AMBIGUOUS_URI/],
    ['a relative path', onHttpAccess('hls/x', `token=${wang}`), /not absolute/],
    ['no credential', onHttpAccess(`${directory}index.m3u8`, 'reason=x'), /required/],
    ['no template', onHttpAccess('/index.html', `token=${wang}`), /matches no gate path/],
  ];
  for (const [what, request, err] of refusals) {
    const answer = await hook('on_http_access', request);
    t.equal(answer.statusCode, 200, what);
    t.match(answer.json(), { code: 0, err, path: '', second: 0 }, what);
  }
  // An export leaves only once its transfer is registered; the refusal names this gateway.
  const li = await service.token('sup-li', 'riverside-psb');
  const exported = await hook(
    'on_http_access',
    onHttpAccess(`/export/cam-square-north/${from}/${to}/clip.mp4`, `token=${li}&reason=case%2011`),
  );
  t.match(exported.json(), { code: 0, err: /TRANSFER_NOT_REGISTERED/, second: 0 });
  const refusal = (await entriesAfter(service, (await service.entryCount()) - 1))[0];
  t.match(refusal, { kind: 'gate.refused', payload: { gateway: 'zlmediakit', problem: 'transfer-not-registered' } });

  const malformed = await hook('on_http_access', { ...onHttpAccess('/x', ''), is_dir: 'yes' });
  t.equal(malformed.statusCode, 400);
  t.match(malformed.body, 'is_dir');
});
