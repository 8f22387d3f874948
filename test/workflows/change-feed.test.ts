/**
 * The change feed end to end: signed webhooks to a real HTTP receiver, retried while it fails,
 * surviving a restart of the service, scoped to the subscribing unit; and the Server-Sent Events
 * stream the console listens to.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import t from 'tap';
import { composeService } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { createLogger } from '../../src/observability/logger.js';
import { verifyWebhook } from '../../src/rules/webhook-signature.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const FEED = { FEED_INTERVAL_MS: '100', WEBHOOK_RETRY_BASE_MS: '50' };

interface Received {
  readonly id: string;
  readonly type: string;
  readonly verified: boolean;
  readonly body: { units: string[]; data: Record<string, unknown> };
}

/** An HTTP receiver that answers 500 to its first `failures` deliveries, then 204. */
async function receiver(t: { teardown(fn: () => unknown): void }, secret: () => string) {
  const received: Received[] = [];
  const state = { failures: 0, attempts: 0 };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      state.attempts += 1;
      if (state.failures > 0) {
        state.failures -= 1;
        response.writeHead(500).end();
        return;
      }
      const timestamp = Number(request.headers['footage-warden-timestamp']);
      const signature = String(request.headers['footage-warden-signature']);
      received.push({
        id: String(request.headers['footage-warden-event-id']),
        type: String(request.headers['footage-warden-event-type']),
        verified: verifyWebhook(secret(), timestamp, body, signature, new Date()),
        body: JSON.parse(body),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, state, server };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test('a unit is told of its requests, grants, holds and transfers by signed webhooks, retried until delivered', async (t) => {
  const service = await startTestService(FEED);
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const admin = await as('admin', 'riverside-psb');
  let secret = '';
  const psb = await receiver(t, () => secret);
  let metroSecret = '';
  const metro = await receiver(t, () => metroSecret);
  const subscribe = (headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url: '/v1/webhook-subscriptions', headers, payload });

  t.equal(
    (await subscribe(await as('op-wang', 'riverside-psb'), { url: psb.url, events: ['request.submitted'] })).statusCode,
    403,
  );
  const otherUnit = await subscribe(admin, { url: psb.url, events: ['request.submitted'], unit_id: 'riverside-metro' });
  t.equal(otherUnit.statusCode, 403, "an administrator subscribes for their own unit's events only");
  const ftp = await subscribe(admin, { url: 'ftp://example.org/x', events: ['request.submitted'] });
  t.equal(ftp.statusCode, 400);
  t.equal(ftp.json().errors[0].path, '/url');
  t.equal((await subscribe(admin, { url: psb.url, events: ['no.such'] })).statusCode, 400);

  const created = await subscribe(admin, {
    url: psb.url,
    events: ['request.submitted', 'request.approved', 'grant.issued', 'hold.placed', 'grant.revoked', 'transfer.registered'],
  });
  t.equal(created.statusCode, 201);
  secret = created.json().secret;
  t.match(secret, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit secret, shown once');
  const subscriptionId = created.json().id;
  const listed = (await app.inject({ method: 'GET', url: '/v1/webhook-subscriptions', headers: admin })).json();
  t.notOk(JSON.stringify(listed).includes(secret), 'and never again');
  const stored = await service.database.handle.db
    .selectFrom('webhook_subscriptions')
    .select('secret')
    .where('id', '=', created.json().id)
    .executeTakeFirstOrThrow();
  t.match(stored.secret, /^v1:/, 'the database holds the secret sealed under the master key');
  t.notOk(stored.secret.includes(secret), 'not the secret itself');
  const metroAdmin = await as('admin', 'riverside-metro');
  const metroCreated = await subscribe(metroAdmin, { url: metro.url, events: ['request.submitted', 'grant.issued'] });
  metroSecret = metroCreated.json().secret;
  t.same(
    (await app.inject({ method: 'GET', url: `/v1/webhook-subscriptions/${subscriptionId}/deliveries`, headers: metroAdmin }))
      .statusCode,
    404,
    "another unit's subscription is not shown",
  );

  psb.state.failures = 3;
  const window = { from: new Date(Date.now() - 3 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
  const submitted = await app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: await as('pr-zhou', 'riverside-procuratorate'),
    payload: {
      ...stateOrganRequest('FEED-1', { camera_ids: ['cam-square-north'], window, actions: ['playback'] }),
      legal_hold: true,
    },
  });
  const requestId = submitted.json().id;
  await until(() => psb.received.some((item) => item.type === 'request.submitted'), 'the submission is delivered');
  t.ok(psb.state.attempts >= 4, `delivered after ${psb.state.attempts} attempts, three refused`);
  const [first] = psb.received;
  t.ok(first?.verified, 'the signature verifies with the secret');
  t.match(first?.body, { units: ['riverside-psb', 'riverside-procuratorate'], data: { request_id: requestId } });
  t.notOk(JSON.stringify(first?.body).includes('robbery'), 'no personal value or reason leaves in an event');
  const deliveries = (
    await app.inject({ method: 'GET', url: `/v1/webhook-subscriptions/${subscriptionId}/deliveries`, headers: admin })
  ).json();
  t.match(deliveries.items[0], { event_type: 'request.submitted', state: 'delivered', attempts: 4, last_status: 204 });

  const approved = await app.inject({
    method: 'POST',
    url: `/v1/access-requests/${requestId}/decisions`,
    headers: await as('sup-li', 'riverside-psb'),
    payload: { decision: 'approve', reason: 'basis checked' },
  });
  const grantId = approved.json().grant_id;
  await until(() => psb.received.filter((item) => item.type !== 'request.submitted').length >= 3, 'the approval is delivered');
  t.same(psb.received.map((item) => item.type).sort(), ['grant.issued', 'hold.placed', 'request.approved', 'request.submitted']);
  t.match(psb.received.find((item) => item.type === 'grant.issued')?.body.data, { grant_id: grantId, request_id: requestId });
  t.equal(metro.received.length, 0, "another unit's subscription hears nothing of riverside-psb's requests");

  // The receiver goes away, an event waits, the service restarts on the same database.
  await new Promise((resolve) => psb.server.close(resolve));
  await app.inject({
    method: 'POST',
    url: `/v1/grants/${grantId}/revocation`,
    headers: await as('sup-li', 'riverside-psb'),
    payload: { reason: 'case closed' },
  });
  await until(
    async () =>
      (await app.inject({ method: 'GET', url: `/v1/webhook-subscriptions/${subscriptionId}/deliveries`, headers: admin }))
        .json()
        .items.some((item: { event_type: string; attempts: number }) => item.event_type === 'grant.revoked' && item.attempts > 0),
    'the revocation was attempted',
  );
  await service.service.close();
  await new Promise<void>((resolve) => psb.server.listen(Number(new URL(psb.url).port), '127.0.0.1', resolve));
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: service.dataDir, ...FEED });
  const restarted = await composeService(config, createLogger('silent', quiet), { database: service.database.handle });
  t.teardown(() => restarted.close());
  await until(() => psb.received.some((item) => item.type === 'grant.revoked'), 'the restarted service delivers what waited');
  t.equal(new Set(psb.received.map((item) => item.id)).size, psb.received.length, 'each event once here, by its id');

  const off = await restarted.app.inject({
    method: 'POST',
    url: `/v1/webhook-subscriptions/${subscriptionId}/deactivate`,
    headers: admin,
  });
  t.equal(off.json().active, false);
  const before = psb.received.length;
  await restarted.app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: await as('pr-zhou', 'riverside-procuratorate'),
    payload: stateOrganRequest('FEED-2', { camera_ids: ['cam-square-north'], window, actions: ['playback'] }),
  });
  for (let round = 0; round < 3; round += 1) await restarted.context.feed.changes.runOnce();
  t.equal(psb.received.length, before, 'a deactivated subscription hears nothing more');
});

t.test(
  'an integrity halt reaches every subscription asking for it, and the event stream carries the unit’s events',
  async (t) => {
    // Every grant of this test ends within the warning: each is announced as expiring, once.
    const service = await startTestService({ ...FEED, GRANT_EXPIRY_WARNING_HOURS: '100' });
    t.teardown(() => service.close());
    await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
    const { app } = service.service;
    const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
    let secret = '';
    const hook = await receiver(t, () => secret);
    const created = await app.inject({
      method: 'POST',
      url: '/v1/webhook-subscriptions',
      headers: await as('admin', 'riverside-metro'),
      payload: { url: hook.url, events: ['ledger.integrity_halted'] },
    });
    secret = created.json().secret;
    await service.service.context.feed.changes.integrityHalted({ check: 'witness-ahead', reference: 'witnessed' });
    await until(() => hook.received.length === 1, 'the alarm is delivered');
    t.match(hook.received[0], {
      type: 'ledger.integrity_halted',
      verified: true,
      body: { units: ['*'], data: { check: 'witness-ahead' } },
    });

    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const approver = await as('sup-li', 'riverside-psb');
    const controller = new AbortController();
    t.teardown(() => controller.abort());
    const stream = await fetch(`${base}/v1/events?types=request.submitted,request.withdrawn`, {
      headers: approver,
      signal: controller.signal,
    });
    t.equal(stream.status, 200);
    t.match(stream.headers.get('content-type'), /^text\/event-stream/);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const window = { from: new Date(Date.now() - 3 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
    const submitted = await app.inject({
      method: 'POST',
      url: '/v1/access-requests',
      headers: await as('pr-zhou', 'riverside-procuratorate'),
      payload: stateOrganRequest('SSE-1', { camera_ids: ['cam-square-north'], window, actions: ['playback'] }),
    });
    const deadline = Date.now() + 10_000;
    while (!text.includes('event: request.submitted') && Date.now() < deadline) {
      const { value } = await reader.read();
      text += Buffer.from(value ?? new Uint8Array()).toString('utf8');
    }
    t.match(
      text,
      /id: ledger-\d+-request\.submitted\nevent: request\.submitted\ndata: \{/,
      'the approver sees the request arrive',
    );
    t.ok(text.includes(submitted.json().id));
    const lastId = /id: (ledger-\d+-request\.submitted)/.exec(text)?.[1] as string;
    controller.abort();

    let psbSecret = '';
    const psbHook = await receiver(t, () => psbSecret);
    const psbSubscription = await app.inject({
      method: 'POST',
      url: '/v1/webhook-subscriptions',
      headers: await as('admin', 'riverside-psb'),
      payload: { url: psbHook.url, events: ['grant.expiring'] },
    });
    psbSecret = psbSubscription.json().secret;
    const approved = await app.inject({
      method: 'POST',
      url: `/v1/access-requests/${submitted.json().id}/decisions`,
      headers: approver,
      payload: { decision: 'approve', reason: 'checked' },
    });
    await until(() => psbHook.received.length > 0, 'the grant ending within the warning is announced');
    for (let round = 0; round < 3; round += 1) await service.service.context.feed.changes.runOnce();
    t.match(psbHook.received, [
      { type: 'grant.expiring', verified: true, body: { data: { grant_id: approved.json().grant_id } } },
    ]);
    t.equal(psbHook.received.length, 1, 'once, though every round sees it');

    const metroStream = await fetch(`${base}/v1/events`, {
      headers: { ...(await as('metro-sun', 'riverside-metro')), 'last-event-id': 'ledger-0-request.submitted' },
      signal: AbortSignal.timeout(1500),
    }).catch(() => undefined);
    const metroText = await metroStream?.text().catch((error: Error) => error.name);
    t.notOk(String(metroText).includes(submitted.json().id), "another unit's stream does not carry it, even replayed");

    const replayed = await fetch(`${base}/v1/events?types=request.submitted`, {
      headers: { ...approver, 'last-event-id': 'ledger-0-request.submitted' },
      signal: AbortSignal.timeout(1500),
    });
    let replayedText = '';
    const replayReader = (replayed.body as ReadableStream<Uint8Array>).getReader();
    try {
      while (!replayedText.includes(lastId)) {
        const { value, done } = await replayReader.read();
        if (done) break;
        replayedText += Buffer.from(value).toString('utf8');
      }
    } catch {
      // the timeout ends the stream
    }
    t.ok(replayedText.includes(lastId), 'a reconnecting listener is sent what it missed after its Last-Event-ID');
    const bad = await app.inject({ method: 'GET', url: '/v1/events?types=nope', headers: approver });
    t.equal(bad.statusCode, 400);
  },
);
