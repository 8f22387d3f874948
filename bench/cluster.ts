/**
 * npm run bench:cluster — sizing figures for the Patroni tier (docs/operations.md): ledger appends
 * per second on the single server of DATABASE_URL (the baseline), then, in the same run, on Patroni
 * clusters with a synchronous standby started on this machine (bench/cluster/patroni-cluster.ts),
 * once on the primary's own port and once through HAProxy's primary port. Every node runs on this
 * one machine, so a standby's replay competes with the primary for its cores: a lower bound for
 * nodes on machines of their own.
 */
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { LedgerAppender } from '../src/ledger-store/ledger-appender.js';
import { openPostgresDatabase } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import type { Database } from '../src/storage/schema.js';
import { appendMany } from './appends.js';
import { PatroniCluster } from './cluster/patroni-cluster.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 30_000);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 500);
const ORIGIN = 'bench.footage-warden/cluster';

interface Measured {
  readonly target: string;
  readonly settings: string;
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
}

async function settingsOf(db: Kysely<Database>): Promise<string> {
  const result = await sql<{ fsync: string; sc: string; names: string }>`
    SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc,
           current_setting('synchronous_standby_names') AS names`.execute(db);
  const row = result.rows[0];
  return `fsync=${row?.fsync} synchronous_commit=${row?.sc} synchronous_standby_names='${row?.names}'`;
}

/** A fresh ledger on `url` (migrated), a warm-up, then SAMPLE appends from CALLERS callers. */
async function measure(target: string, url: string): Promise<Measured> {
  const handle = openPostgresDatabase({ url, maxConnections: 4 });
  try {
    await migrateToLatest(handle.db);
    const appender = new LedgerAppender({ db: handle.db, origin: ORIGIN, signingKey: generateKeyPairSync('ed25519').privateKey });
    await appendMany(appender, 2_000, CALLERS, 0);
    const result = await appendMany(appender, SAMPLE, CALLERS, 2_000);
    await appender.close();
    return { target, settings: await settingsOf(handle.db), ...result };
  } finally {
    await handle.close();
  }
}

async function onScratchDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `footage_warden_bench_cluster_${process.pid}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(BASE_URL);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function onCluster(nodes: 2 | 3): Promise<Measured[]> {
  const cluster = await PatroniCluster.start({ nodes, synchronous: true });
  try {
    const leader = await cluster.leader();
    if (leader === undefined) throw new Error('no leader');
    const direct = `postgres://postgres@127.0.0.1:${leader.pgPort}/postgres`;
    const first = await measure(`${nodes} nodes, the primary's own port`, direct);
    // A second ledger in another database of the same cluster, so both start empty.
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE through_haproxy');
    await admin.end();
    const viaHaproxy = new URL(cluster.url);
    viaHaproxy.pathname = '/through_haproxy';
    const second = await measure(`${nodes} nodes, through HAProxy`, viaHaproxy.toString());
    return [first, second];
  } finally {
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  console.log(`workload: ${SAMPLE} appends by ${CALLERS} concurrent callers, after 2000 to warm up; a fresh ledger each\n`);
  const baseline = await onScratchDatabase((url) => measure('one server (DATABASE_URL)', url));
  const rows = [baseline, ...(await onCluster(2)), ...(await onCluster(3))];
  console.log('appends/s                                   rate   of one server   p50 ms   p99 ms');
  for (const row of rows) {
    console.log(
      `  ${row.target.padEnd(38)} ${row.rate.toFixed(0).padStart(6)}   ${((row.rate / baseline.rate) * 100).toFixed(0).padStart(12)}%   ${row.p50.toFixed(1).padStart(6)}   ${row.p99.toFixed(1).padStart(6)}`,
    );
  }
  console.log('\nsettings');
  for (const row of rows) console.log(`  ${row.target}: ${row.settings}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
