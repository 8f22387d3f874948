/**
 * The database tier real deployments run: etcd, PostgreSQL under Patroni with a synchronous
 * standby (`synchronous_mode_strict`), HAProxy routing by Patroni's health checks. The service runs
 * on the primary port like on one server; the replica port reaches a hot standby that holds the
 * acknowledged entries and serves the audit reads once it has replayed what the primary holds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import t, { type Test } from 'tap';
import { clusterMissing, PatroniCluster } from '../../bench/cluster/patroni-cluster.js';
import { composeService, type Service } from '../../src/compose.js';
import { type Environment, loadConfig } from '../../src/config.js';
import { mintDevelopmentToken } from '../../src/keys/development-token.js';
import { loadOrCreateDevelopmentTokenSecret } from '../../src/keys/key-files.js';
import { verifyStoredLedger } from '../../src/ledger-store/ledger-verification.js';
import { createLogger } from '../../src/observability/logger.js';
import { e2eSkip } from '../helpers/e2e.js';
import { appendEvents } from '../helpers/ledger.js';

t.setTimeout(300_000);

const skip = e2eSkip(clusterMissing() === false, 'Patroni, etcd and HAProxy');

async function connected(t: Test, url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end().catch(() => undefined));
  return client;
}

async function serviceOn(
  t: Test,
  env: Environment,
): Promise<{ service: Service; admin: { authorization: string }; dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-cluster-service-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'error', ...env });
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const service = await composeService(config, createLogger(config.logLevel, quiet));
  t.teardown(() => service.close());
  const token = mintDevelopmentToken(await loadOrCreateDevelopmentTokenSecret(config.dataDir), {
    subject: 'admin',
    unit: 'dev',
    ttlSeconds: 600,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    unitClaim: config.auth.unitClaim,
  });
  return { service, admin: { authorization: `Bearer ${token}` }, dataDir: config.dataDir };
}

t.test('a Patroni pair behind HAProxy', { skip }, async (t) => {
  const cluster = await PatroniCluster.start({ nodes: 2, synchronous: true });
  t.teardown(() => cluster.stop());
  const members = await cluster.members();
  t.same(members.map((member) => member.role).sort(), ['leader', 'sync_standby'], 'one leader and one synchronous standby');
  const { service, admin, dataDir } = await serviceOn(t, {
    DATABASE_URL: cluster.url,
    DATABASE_READ_URL: cluster.readUrl,
    DATABASE_QUERY_TIMEOUT_MS: '2000',
    DATABASE_READ_WAIT_MS: '500',
  });
  const metrics = async () => (await service.app.inject({ method: 'GET', url: '/metrics', headers: admin })).body;
  const served = async (source: string) =>
    Number(new RegExp(`footage_warden_audit_reads_total\\{served_by="${source}"\\} (\\d+)`).exec(await metrics())?.[1] ?? 0);
  const receiptOf = (seq: number) =>
    service.app.inject({ method: 'GET', url: `/v1/ledger/entries/${seq}/receipt`, headers: admin });

  await t.test('the ledger writes through the primary port, verifies, and is replicated synchronously', async (t) => {
    const receipts = await appendEvents(service.appender, 300);
    t.equal(receipts.length, 300);
    const verified = await verifyStoredLedger(service.database.db, {
      origin: service.context.ledger.origin,
      trustedKeys: [...service.context.ledger.trustedKeys],
    });
    t.ok(verified.ok, 'the log verifies');
    const standby = await connected(t, cluster.readUrl);
    t.equal(
      (await standby.query('SELECT pg_is_in_recovery() AS standby')).rows[0]?.standby,
      true,
      'the replica port reaches a standby',
    );
    const last = receipts.reduce((max, receipt) => Math.max(max, receipt.seq), 0);
    await cluster.until(
      async () =>
        (await standby.query('SELECT count(*)::int AS n FROM ledger_entries WHERE seq <= $1', [last])).rows[0]?.n === last + 1,
      10_000,
      'the standby has replayed every acknowledged entry',
    );
    const primary = await connected(t, cluster.url);
    const replication = await primary.query("SELECT sync_state FROM pg_stat_replication WHERE application_name <> ''");
    t.same(
      replication.rows.map((row) => row.sync_state),
      ['sync'],
      'commits wait for the standby: an acknowledged entry is on two machines',
    );
  });

  await t.test('audit reads come from the standby, and never from behind the primary', async (t) => {
    const [first] = await appendEvents(service.appender, 1, 'read');
    const before = await served('standby');
    const receipt = await receiptOf(first?.seq as number);
    t.equal(receipt.statusCode, 200, 'the receipt of an entry just acknowledged');
    t.equal(await served('standby'), before + 1, 'served by the standby once it replayed it');

    // The standby's recovery process is stopped: it receives and flushes WAL (commits go on), and
    // replays none of it.
    const leader = await cluster.leader();
    const standbyNode = cluster.nodes.find((node) => node !== leader);
    const recovery = standbyNode === undefined ? undefined : cluster.recoveryPid(standbyNode);
    if (recovery === undefined) throw new Error('no recovery process on the standby');
    process.kill(recovery, 'SIGSTOP');
    t.teardown(() => process.kill(recovery, 'SIGCONT'));
    const [behind] = await appendEvents(service.appender, 1, 'paused');
    const fromPrimary = await served('primary');
    const answer = await receiptOf(behind?.seq as number);
    t.equal(answer.statusCode, 200, 'an entry the standby has not replayed is still found');
    t.match(answer.body, new RegExp(`\\nindex ${behind?.seq}\\n`), 'with its proof');
    t.equal(await served('primary'), fromPrimary + 1, 'the primary served it after the wait');
    const lag = Number(/footage_warden_standby_replay_lag_bytes (\d+)/.exec(await metrics())?.[1]);
    t.ok(lag > 0, `the standby's lag is exported: ${lag} bytes`);
    process.kill(recovery, 'SIGCONT');
    const caughtUp = await served('standby');
    t.equal((await receiptOf(behind?.seq as number)).statusCode, 200);
    t.equal(await served('standby'), caughtUp + 1, 'once it replays again, the standby serves');
  });

  await t.test('the service logs in as a member of footage_warden_service on the primary and the standbys', async (t) => {
    const primary = await connected(t, cluster.url);
    await primary.query('CREATE ROLE fw_cluster_app LOGIN IN ROLE footage_warden_service');
    const as = (url: string) => {
      const login = new URL(url);
      login.username = 'fw_cluster_app';
      return login.toString();
    };
    const app = await serviceOn(t, {
      DATABASE_URL: as(cluster.url),
      DATABASE_READ_URL: as(cluster.readUrl),
      MIGRATE_ON_START: 'false',
      // A replica of the same service: the same keys.
      DATA_DIR: dataDir,
    });
    const [entry] = await appendEvents(app.service.appender, 1, 'login');
    const answer = await app.service.app.inject({
      method: 'GET',
      url: `/v1/ledger/entries/${entry?.seq}`,
      headers: app.admin,
    });
    t.equal(answer.statusCode, 200, 'it writes on the primary and reads on the standby, where the role was replicated');
    const insider = await connected(t, as(cluster.url));
    const rewrite = await insider.query('UPDATE ledger_entries SET kind = kind WHERE seq = 0').then(
      () => 'allowed',
      (error: { code?: string }) => error.code,
    );
    t.equal(rewrite, '42501', 'and may not rewrite the ledger');
  });

  await t.test('a service pointed at the replica port does not start: it is read-only', async (t) => {
    await t.rejects(serviceOn(t, { DATABASE_URL: cluster.readUrl }), {
      message: /DATABASE_URL must reach the primary/,
    });
  });

  await t.test('with the synchronous standby gone, an append is refused at the deadline and resumes with it', async (t) => {
    const standbyNode = cluster.nodes.find((node) => node.name !== members.find((m) => m.role === 'leader')?.name);
    if (standbyNode === undefined) throw new Error('no standby node');
    const count = async () =>
      Number(
        (
          await service.database.db
            .selectFrom('ledger_entries')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    cluster.stopNode(standbyNode);
    const before = await count();
    const started = Date.now();
    const refused = await appendEvents(service.appender, 1, 'alone').then(
      () => 'acknowledged',
      (error: { code?: string }) => error.code,
    );
    const waited = Date.now() - started;
    t.equal(refused, 'ledger-unavailable', 'no acknowledgement without the synchronous standby');
    t.ok(waited >= 1_900 && waited < 10_000, `refused at the deadline, after ${waited} ms`);
    const decision = await service.app.inject({
      method: 'POST',
      url: '/v1/ledger/verifications',
      headers: admin,
      payload: {},
    });
    t.match(decision.body, /"error":\{"code":"unavailable"/, 'the verification reports that it could not be recorded');
    cluster.startNode(standbyNode);
    await cluster.until(
      async () => (await cluster.members()).some((member) => member.role === 'sync_standby'),
      90_000,
      'the standby is back as the synchronous standby',
    );
    await cluster.until(
      async () => (await appendEvents(service.appender, 1, 'back')).length === 1,
      30_000,
      'appends are acknowledged again',
    );
    t.ok((await count()) > before, 'the ledger grows again');
    const verified = await verifyStoredLedger(service.database.db, {
      origin: service.context.ledger.origin,
      trustedKeys: [...service.context.ledger.trustedKeys],
    });
    t.ok(
      verified.ok,
      `and the log verifies, the refused appends included if they committed: ${JSON.stringify(verified.firstFailure)}`,
    );
  });
});
