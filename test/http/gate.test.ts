import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const from = new Date(Math.floor((Date.now() - 3 * HOUR) / 1000) * 1000).toISOString();
const to = new Date(Math.floor((Date.now() - 2 * HOUR) / 1000) * 1000).toISOString();
const playlist = (camera: string) => `/hls/${camera}/${from}/${to}/index.m3u8`;

/** The path nginx serves for a plain URI: its path, percent-decoded (as bytes in a header). */
function servedPath(uri: string): string {
  return Buffer.from(decodeURIComponent(uri.split('?')[0] as string)).toString('latin1');
}

async function gateService(t: { teardown(fn: () => Promise<void>): void }) {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const bearer = async (subject: string, unit: string) => `Bearer ${await service.token(subject, unit)}`;
  // nginx sends the raw URI ($request_uri) and the decoded path it serves ($uri).
  const gate = (uri: string, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'GET',
      url: '/v1/gate',
      headers: { 'x-original-uri': uri, 'x-served-uri': servedPath(uri), ...headers },
    });
  return { service, app, bearer, gate };
}

t.test('the gate allows a permitted playback once and answers its segments from the recorded allow', async (t) => {
  const { service, bearer, gate } = await gateService(t);
  const wang = { authorization: await bearer('op-wang', 'riverside-psb'), 'x-access-reason': 'incident 2026-118' };
  const before = await service.entryCount();
  const first = await gate(playlist('cam-square-north'), wang);
  t.equal(first.statusCode, 204);
  t.match(first.headers['x-decision-id'], /^[0-9a-f-]{36}$/);
  t.equal(first.headers['x-obligations'], '');
  t.ok(Date.parse(String(first.headers['x-decision-valid-until'])) > Date.now());
  for (const segment of ['seg-0.ts', 'seg-1.ts', 'seg-2.ts']) {
    const answer = await gate(`/hls/cam-square-north/${from}/${to}/${segment}`, wang);
    t.equal(answer.statusCode, 204, segment);
    t.equal(answer.headers['x-decision-id'], first.headers['x-decision-id'], `${segment} reuses the decision`);
  }
  t.equal(await service.entryCount(), before + 1, 'one ledger entry for the playlist and its segments');
  const entry = await service.lastEntry();
  t.same(entry, { kind: 'decision.made', ref: first.headers['x-decision-id'] });

  const otherWindow = await gate(`/hls/cam-square-north/${from}/${new Date(Date.parse(to) + 1000).toISOString()}/seg-0.ts`, wang);
  t.equal(otherWindow.statusCode, 204);
  t.not(otherWindow.headers['x-decision-id'], first.headers['x-decision-id'], 'another window is another decision');

  const count = await service.entryCount();
  const fresh = `/hls/cam-square-south/${from}/${to}`;
  const together = await Promise.all(Array.from({ length: 12 }, (_, n) => gate(`${fresh}/seg-${n}.ts`, wang)));
  t.same(new Set(together.map((answer) => answer.statusCode)), new Set([204]));
  t.equal(
    new Set(together.map((answer) => answer.headers['x-decision-id'])).size,
    1,
    'concurrent segments wait for one decision',
  );
  t.equal(await service.entryCount(), count + 1);
});

t.test('the gate denies and records what the rules deny, and refuses what it cannot decide', async (t) => {
  const { service, bearer, gate } = await gateService(t);
  const reason = { 'x-access-reason': 'incident 2026-118' };
  let count = await service.entryCount();
  const denied = await gate(playlist('cam-square-north'), { authorization: await bearer('op-zhao', 'riverside-psb'), ...reason });
  t.equal(denied.statusCode, 403);
  t.equal(denied.headers['x-deny-reasons'], 'TRAINING_LAPSED');
  t.match(denied.headers['content-type'], /application\/problem\+json/);
  t.match(denied.headers['x-decision-id'], /^[0-9a-f-]{36}$/);
  t.equal(await service.entryCount(), ++count, 'a deny is recorded');
  const again = await gate(playlist('cam-square-north'), { authorization: await bearer('op-zhao', 'riverside-psb'), ...reason });
  t.equal(again.statusCode, 403);
  t.equal(await service.entryCount(), ++count, 'denies are not remembered: each is decided and recorded');

  const wang = await bearer('op-wang', 'riverside-psb');
  const noReason = await gate(playlist('cam-square-north'), { authorization: wang });
  t.equal(noReason.headers['x-deny-reasons'], 'REASON_REQUIRED', 'playback states a reason (23(3))');
  t.equal(await service.entryCount(), ++count);
  const live = await gate('/live/cam-square-north/index.m3u8', { authorization: wang });
  t.equal(live.statusCode, 204, "live view uses the template's standing reason");
  t.equal(await service.entryCount(), ++count);
  const stranger = await gate(playlist('cam-square-north'), { authorization: await bearer('someone', 'elsewhere'), ...reason });
  t.equal(stranger.headers['x-deny-reasons'], 'ROLE_NOT_PERMITTED,NOT_REGISTERED_PERSONNEL');
  t.equal(await service.entryCount(), ++count, 'an authenticated stranger is recorded too');
  const restroom = await gate(playlist('cam-metro-restroom'), {
    authorization: await bearer('metro-sun', 'riverside-metro'),
    ...reason,
  });
  t.match(restroom.headers['x-deny-reasons'], /PROHIBITED_LOCATION/);
  count += 1;

  const refusals: [string, Record<string, string>, number, RegExp | undefined][] = [
    [playlist('cam-nowhere'), { authorization: wang, ...reason }, 403, /UNKNOWN_CAMERA/],
    ['/unknown/cam-square-north/x', { authorization: wang, ...reason }, 403, undefined],
    [playlist('cam-square-north'), { authorization: wang, ...reason, 'x-access-purpose': 'gossip' }, 403, /UNKNOWN_PURPOSE/],
    [playlist('cam-square-north'), { authorization: wang, ...reason, 'x-access-grant': 'not-a-grant' }, 403, undefined],
    [
      `/hls/cam-square-north/${from}/${new Date(Date.now() + 3 * HOUR).toISOString()}/index.m3u8`,
      { authorization: wang, ...reason },
      403,
      /INVALID_WINDOW/,
    ],
    [playlist('cam-square-north'), { authorization: wang, ...reason, 'x-original-method': 'POST' }, 403, undefined],
    [playlist('cam-square-north'), reason, 401, undefined],
    [playlist('cam-square-north'), { authorization: 'Bearer forged.token.here', ...reason }, 401, undefined],
  ];
  for (const [uri, headers, status, reasons] of refusals) {
    const answer = await gate(uri, headers);
    t.equal(answer.statusCode, status, `${uri} ${JSON.stringify(Object.keys(headers))}`);
    if (reasons !== undefined) t.match(answer.headers['x-deny-reasons'], reasons);
  }
  t.equal(await service.entryCount(), count, 'refusals write nothing');
  const noUri = await service.service.app.inject({ method: 'GET', url: '/v1/gate', headers: { authorization: wang } });
  t.equal(noUri.statusCode, 400);
  t.match(noUri.json().detail, /x-original-uri/);
  const noServed = await service.service.app.inject({
    method: 'GET',
    url: '/v1/gate',
    headers: { authorization: wang, 'x-original-uri': playlist('cam-square-north') },
  });
  t.equal(noServed.statusCode, 400, 'a gateway that does not say what it serves is not answered with an allow');
});

t.test('an ambiguous URI is refused and recorded, whoever asks, and decides nothing', async (t) => {
  const { service, bearer, gate } = await gateService(t);
  const wang = { authorization: await bearer('op-wang', 'riverside-psb'), 'x-access-reason': 'incident 2026-118' };
  const own = `/live/cam-square-north`;
  const attempts: [string, string][] = [
    [`${own}/..%2Fcam-metro-hall/index.m3u8`, '/live/cam-metro-hall/index.m3u8'],
    [`${own}/../../live/cam-metro-hall/index.m3u8`, '/live/cam-metro-hall/index.m3u8'],
    [`/live//cam-metro-hall/index.m3u8`, '/live/cam-metro-hall/index.m3u8'],
    [`${own}/index.m3u8`, '/live/cam-metro-hall/index.m3u8'],
    [`${own}/%C0%AE%C0%AE/x.ts`, '/live/cam-square-north/\xc0\xae\xc0\xae/x.ts'],
  ];
  let count = await service.entryCount();
  for (const [raw, served] of attempts) {
    const answer = await service.service.app.inject({
      method: 'GET',
      url: '/v1/gate',
      headers: { ...wang, 'x-original-uri': raw, 'x-served-uri': served },
    });
    t.equal(answer.statusCode, 403, raw);
    t.equal(answer.headers['x-deny-reasons'], 'AMBIGUOUS_URI', `${raw}: says why`);
    t.equal(await service.entryCount(), ++count, `${raw}: recorded`);
    const entry = await service.lastEntry();
    t.same(entry, { kind: 'gate.refused', ref: answer.headers['x-decision-id'] }, `${raw}: as a gate.refused entry`);
  }
  const anonymous = await gate(`${own}/..%2Fcam-metro-hall/index.m3u8`);
  t.equal(anonymous.statusCode, 401, 'without credentials it is unauthenticated first');
  t.equal(await service.entryCount(), count, 'and records nothing, like any unauthenticated request');
});

t.test('a remembered allow never answers a request that states another reason or none', async (t) => {
  const { service, bearer, gate } = await gateService(t);
  const wang = await bearer('op-wang', 'riverside-psb');
  const first = await gate(playlist('cam-square-north'), { authorization: wang, 'x-access-reason': 'incident 2026-118' });
  t.equal(first.statusCode, 204);
  const count = await service.entryCount();
  const none = await gate(playlist('cam-square-north'), { authorization: wang });
  t.equal(none.statusCode, 403, 'no reason: decided again, and denied');
  t.equal(none.headers['x-deny-reasons'], 'REASON_REQUIRED');
  const other = await gate(playlist('cam-square-north'), { authorization: wang, 'x-access-reason': 'incident 2026-119' });
  t.equal(other.statusCode, 204);
  t.not(other.headers['x-decision-id'], first.headers['x-decision-id'], 'another reason is another decision');
  t.equal(await service.entryCount(), count + 2);
});

t.test('a revoked role or grant clears the allows it gave', async (t) => {
  const { app, bearer, gate } = await gateService(t);
  const admin = { authorization: await bearer('admin', 'dev') };
  const wang = { authorization: await bearer('op-wang', 'riverside-psb'), 'x-access-reason': 'incident 2026-118' };
  const first = await gate(playlist('cam-square-north'), wang);
  t.equal(first.statusCode, 204);
  t.equal((await gate(playlist('cam-square-north'), wang)).headers['x-decision-id'], first.headers['x-decision-id']);
  const revoked = await app.inject({
    method: 'DELETE',
    url: '/v1/role-assignments/riverside-psb/op-wang/operator',
    headers: admin,
  });
  t.equal(revoked.statusCode, 200);
  const after = await gate(playlist('cam-square-north'), wang);
  t.equal(after.statusCode, 403, 'the remembered allow is gone with the role');
  t.equal(after.headers['x-deny-reasons'], 'ROLE_NOT_PERMITTED');

  const zhou = { authorization: await bearer('pr-zhou', 'riverside-procuratorate') };
  const li = { authorization: await bearer('sup-li', 'riverside-psb') };
  const submitted = await app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: zhou,
    payload: stateOrganRequest('RP-C-1', { camera_ids: ['cam-square-north'], window: { from, to }, actions: ['playback'] }),
  });
  t.equal(submitted.statusCode, 201);
  const approved = await app.inject({
    method: 'POST',
    url: `/v1/access-requests/${submitted.json().id}/decisions`,
    headers: li,
    payload: { decision: 'approve', reason: 'documents in order' },
  });
  const grantId = approved.json().grant_id as string;
  t.match(grantId, /^[0-9a-f-]{36}$/);
  const underGrant = { ...zhou, 'x-access-reason': 'robbery evidence', 'x-access-purpose': 'case_handling' };
  t.equal((await gate(playlist('cam-square-north'), underGrant)).statusCode, 403, 'no role, no grant named: denied');
  const granted = await gate(`${playlist('cam-square-north')}?grant=${grantId}`, underGrant);
  t.equal(granted.statusCode, 204, 'the grant admits its grantee');
  const segment = await gate(`/hls/cam-square-north/${from}/${to}/seg-0.ts`, { ...underGrant, 'x-access-grant': grantId });
  t.equal(segment.headers['x-decision-id'], granted.headers['x-decision-id'], 'the grant header and query name the same access');
  const revocation = await app.inject({
    method: 'POST',
    url: `/v1/grants/${grantId}/revocation`,
    headers: li,
    payload: { reason: 'case closed' },
  });
  t.equal(revocation.statusCode, 200);
  const afterGrant = await gate(`/hls/cam-square-north/${from}/${to}/seg-1.ts`, { ...underGrant, 'x-access-grant': grantId });
  t.equal(afterGrant.statusCode, 403, 'the remembered allow is gone with the grant');
  t.match(afterGrant.headers['x-deny-reasons'], /GRANT_NOT_VALID/);
});

t.test('a playback token from a decision admits its playback offline and nothing else', async (t) => {
  const { service, app, bearer, gate } = await gateService(t);
  const wang = { authorization: await bearer('op-wang', 'riverside-psb') };
  const decided = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: wang,
    payload: {
      camera_id: 'cam-square-north',
      action: 'playback',
      window: { from, to },
      purpose: 'public_safety',
      reason: 'incident 2026-118',
      playback_token: true,
    },
  });
  t.equal(decided.statusCode, 200);
  const { playback_token: token, decision_id: decisionId } = decided.json();
  t.type(token, 'string');
  const withoutToken = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: wang,
    payload: { camera_id: 'cam-square-north', action: 'playback', window: { from, to }, purpose: 'public_safety', reason: 'x' },
  });
  t.notOk('playback_token' in withoutToken.json(), 'a token only when asked for');
  const denied = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: wang,
    payload: {
      camera_id: 'cam-square-north',
      action: 'export',
      window: { from, to },
      purpose: 'public_safety',
      reason: 'x',
      playback_token: true,
    },
  });
  t.notOk('playback_token' in denied.json(), 'no token for a deny');

  const count = await service.entryCount();
  const inQuery = await gate(`/hls/cam-square-north/${from}/${to}/seg-0.ts?token=${token}`);
  t.equal(inQuery.statusCode, 204);
  t.equal(inQuery.headers['x-decision-id'], decisionId);
  t.equal((await gate(`/hls/cam-square-north/${from}/${to}/seg-1.ts`, { authorization: `Bearer ${token}` })).statusCode, 204);
  t.equal(await service.entryCount(), count, 'a token writes nothing: its decision is recorded');
  const inner = new Date(Date.parse(from) + 60_000).toISOString();
  t.equal((await gate(`/hls/cam-square-north/${inner}/${to}/x.ts?token=${token}`)).statusCode, 204, 'a window inside');
  for (const uri of [
    `/hls/cam-square-south/${from}/${to}/seg-0.ts?token=${token}`,
    `/hls/cam-square-north/${new Date(Date.parse(from) - 1000).toISOString()}/${to}/seg-0.ts?token=${token}`,
    `/export/cam-square-north/${from}/${to}/x.mp4?token=${token}`,
    `/live/cam-square-north/index.m3u8?token=${token}`,
  ]) {
    const answer = await gate(uri);
    t.equal(answer.statusCode, 403, uri.split('?')[0] as string);
    t.equal(answer.headers['x-deny-reasons'], 'TOKEN_DOES_NOT_COVER');
  }
  const tampered = `${token.slice(0, -4)}AAAA`;
  t.equal((await gate(`/hls/cam-square-north/${from}/${to}/seg-0.ts?token=${tampered}`)).statusCode, 401);
  const userTokenInQuery = await gate(`/hls/cam-square-north/${from}/${to}/seg-0.ts?token=${wang.authorization.slice(7)}`);
  t.equal(userTokenInQuery.statusCode, 401, 'a user token is not taken from a URI');

  const jwks = await app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  t.equal(jwks.statusCode, 200);
  t.match(jwks.headers['content-type'], /application\/jwk-set\+json/);
  const [key] = jwks.json().keys;
  t.match(key, {
    kty: 'OKP',
    crv: 'Ed25519',
    alg: 'EdDSA',
    use: 'sig',
    kid: JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid,
  });
});
