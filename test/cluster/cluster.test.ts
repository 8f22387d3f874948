/**
 * The database tier real deployments run: etcd, PostgreSQL under Patroni with a synchronous
 * standby (`synchronous_mode_strict`), HAProxy routing by Patroni's health checks. The service runs
 * on the primary port like on one server; the replica port reaches a hot standby that holds the
 * acknowledged entries.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import t from 'tap';
import { composeService } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { verifyStoredLedger } from '../../src/ledger-store/ledger-verification.js';
import { createLogger } from '../../src/observability/logger.js';
import { e2eSkip } from '../helpers/e2e.js';
import { appendEvents } from '../helpers/ledger.js';
import { clusterMissing, PatroniCluster } from '../helpers/patroni-cluster.js';

t.setTimeout(240_000);

t.test(
  'through HAProxy to a Patroni primary with a synchronous standby, the ledger writes, verifies and is replicated',
  { skip: e2eSkip(clusterMissing() === false, 'Patroni, etcd and HAProxy') },
  async (t) => {
    const cluster = await PatroniCluster.start({ nodes: 2, synchronous: true });
    t.teardown(() => cluster.stop());
    const members = await cluster.members();
    t.same(members.map((member) => member.role).sort(), ['leader', 'sync_standby'], 'one leader and one synchronous standby');

    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-cluster-service-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: cluster.url, LOG_LEVEL: 'error' });
    const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const service = await composeService(config, createLogger(config.logLevel, quiet));
    t.teardown(() => service.close());
    const receipts = await appendEvents(service.appender, 300);
    t.equal(receipts.length, 300);
    const verified = await verifyStoredLedger(service.database.db, {
      origin: service.context.ledger.origin,
      trustedKeys: [...service.context.ledger.trustedKeys],
    });
    t.ok(verified.ok, 'the log verifies');

    const standby = new pg.Client({ connectionString: cluster.readUrl });
    await standby.connect();
    t.teardown(() => standby.end());
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
    const primary = new pg.Client({ connectionString: cluster.url });
    await primary.connect();
    t.teardown(() => primary.end());
    const replication = await primary.query("SELECT sync_state FROM pg_stat_replication WHERE application_name <> ''");
    t.same(
      replication.rows.map((row) => row.sync_state),
      ['sync'],
      'commits wait for the standby: an acknowledged entry is on two machines',
    );
  },
);
