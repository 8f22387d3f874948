import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { composeService } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { mintDevelopmentToken } from '../../src/keys/development-token.js';
import { loadOrCreateDevelopmentTokenSecret } from '../../src/keys/key-files.js';
import { createLogger } from '../../src/observability/logger.js';
import { type DatabaseHandle, openPostgresDatabase } from '../../src/storage/database.js';
import { openTestDatabase } from '../helpers/database.js';

/** A TCP relay to the database server that the test can cut, as a failing network or server would. */
async function relayTo(url: URL) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(url.port || 5432), url.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const relayed = new URL(url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(port);
  return {
    url: relayed.toString(),
    cut() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

t.test('when the ledger cannot be written the answer is 503 and no allow leaves the service', async (t) => {
  const database = await openTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-outage-'));
  t.teardown(async () => {
    await database.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });
  const relay = database.url === undefined ? undefined : await relayTo(new URL(database.url));
  const handle: DatabaseHandle = relay === undefined ? database.handle : openPostgresDatabase({ url: relay.url });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
  const service = await composeService(config, createLogger('info', sink), { database: handle });
  t.teardown(async () => {
    await service.close().catch(() => undefined);
    if (relay !== undefined) await handle.close().catch(() => undefined);
  });
  const { importRegistry, parseRegistryDocument } = await import('../../src/workflows/registry-import.js');
  const { changeContexts } = await import('../../src/recorder.js');
  const { POLICY_FILE } = await import('../../src/policy/enforcer.js');
  const contexts = changeContexts(handle.db, service.writer, await readFile(POLICY_FILE, 'utf8'), service.context.profile);
  await importRegistry(
    contexts.registryContext,
    contexts.roleContext,
    { subject: 'test', unit: null },
    parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')),
  );
  await service.access.refresh();
  const secret = await loadOrCreateDevelopmentTokenSecret(dataDir);
  const token = mintDevelopmentToken(secret, {
    subject: 'op-wang',
    unit: 'riverside-psb',
    ttlSeconds: 600,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    unitClaim: config.auth.unitClaim,
  });
  const ask = () =>
    service.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { authorization: `Bearer ${token}` },
      payload: { camera_id: 'cam-square-north', action: 'live', purpose: 'public_safety', reason: 'patrol' },
    });
  t.equal((await ask()).json().decision, 'allow', 'allowed while the database is there');
  const gate = (uri: string) =>
    service.app.inject({
      method: 'GET',
      url: '/v1/gate',
      headers: { authorization: `Bearer ${token}`, 'x-original-uri': uri, 'x-served-uri': uri },
    });
  const recordedLive = await gate('/live/cam-square-north/index.m3u8');
  t.equal(recordedLive.statusCode, 204, 'the gate allows a live view and records it');

  // Decisions in flight while the database goes away: each is either committed or refused.
  const inFlight = Array.from({ length: 20 }, () => ask());
  await Promise.race(inFlight);
  if (relay !== undefined) relay.cut();
  else await database.handle.close();
  const answers = await Promise.all(inFlight);
  const after = await ask();
  t.equal(after.statusCode, 503, 'with the database gone: 503');
  t.equal(after.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal(after.json().decision, undefined, 'no decision in a refusal');
  const gateAfter = await gate('/live/cam-square-south/index.m3u8');
  t.equal(gateAfter.statusCode, 503, 'the gate cannot record a new decision: 503, which nginx turns into a refusal');
  const segment = await gate('/live/cam-square-north/segment-1.ts');
  t.equal(segment.statusCode, 204, 'a segment of the live view recorded before is still served');
  t.equal(segment.headers['x-decision-id'], recordedLive.headers['x-decision-id']);
  const statuses = answers.map((answer) => answer.statusCode);
  t.ok(
    statuses.every((status) => status === 200 || status === 503),
    `in flight: ${statuses.filter((s) => s === 200).length} committed, ${statuses.filter((s) => s === 503).length} refused`,
  );
  const allowed = answers.filter((answer) => answer.statusCode === 200).map((answer) => answer.json());
  if (database.url !== undefined) {
    // Every allow that left the service is in the ledger.
    const check = openPostgresDatabase({ url: database.url });
    t.teardown(() => check.close());
    const recorded = new Set(
      (await check.db.selectFrom('ledger_entries').select('ref').where('kind', '=', 'decision.made').execute()).map(
        (row) => row.ref,
      ),
    );
    for (const body of allowed) t.ok(recorded.has(body.decision_id), `allow ${body.decision_id} was recorded`);
  }
  t.notOk(logs.join('').includes('patrol'), 'no personal value in the log, failures included');
});
