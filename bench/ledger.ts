/**
 * npm run bench:ledger — ledger throughput and latency on this machine, every figure beside a
 * baseline measured in the same run against the same PostgreSQL server:
 *   ceiling   500-row multi-row INSERTs into a plain table of the entries' shape (same indexes)
 *   single    one INSERT per transaction into that table, 8 connections
 *   appender  the ledger's group commit with many concurrent callers
 * then verification speed, inclusion-proof latency at BENCH_ENTRIES entries, and the memory that
 * export and verification take. DATABASE_URL names a server; a scratch database is created there.
 */
import { generateKeyPairSync } from 'node:crypto';
import os from 'node:os';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { verifierKeyFor } from '../src/ledger/note.js';
import { LedgerAppender } from '../src/ledger-store/ledger-appender.js';
import { exportLines } from '../src/ledger-store/ledger-export.js';
import { inclusionProof } from '../src/ledger-store/ledger-proofs.js';
import { verifyStoredLedger } from '../src/ledger-store/ledger-verification.js';
import { type DatabaseHandle, openPostgresDatabase } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import type { Database } from '../src/storage/schema.js';
import { appendMany, payload } from './appends.js';
import { benchSuites } from './ledger-suites.js';
import { percentile } from './statistics.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 1_000_000);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 500);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 60_000);
const ORIGIN = 'bench.footage-warden/ledger';

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function plainTable(db: Kysely<Database>): Promise<void> {
  await sql`DROP TABLE IF EXISTS bench_plain`.execute(db);
  await sql`CREATE TABLE bench_plain (LIKE ledger_entries INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`.execute(
    db,
  );
}

function plainRow(i: number) {
  const canonical = Buffer.from(JSON.stringify({ v: 1, seq: i, payload: payload(i), prev: '0'.repeat(64) }));
  return {
    seq: i,
    time: new Date().toISOString(),
    kind: 'access.decided',
    unit: 'district-7',
    subject: `op-${i % 1000}`,
    camera: `cam-${i % 997}`,
    canonical,
    leaf_hash: canonical.subarray(0, 32),
  };
}

async function ceiling(db: Kysely<Database>, rows: number): Promise<number> {
  await plainTable(db);
  const started = performance.now();
  for (let offset = 0; offset < rows; offset += 500) {
    const batch = Array.from({ length: Math.min(500, rows - offset) }, (_, i) => plainRow(offset + i));
    await db.transaction().execute((trx) =>
      sql`INSERT INTO bench_plain ${sql.raw('')} SELECT * FROM unnest(
      ${batch.map((r) => r.seq)}::bigint[], ${batch.map((r) => r.time)}::timestamptz[], ${batch.map((r) => r.kind)}::text[],
      ${batch.map((r) => r.unit)}::text[], ${batch.map((r) => r.subject)}::text[], ${batch.map((r) => r.camera)}::text[],
      ${batch.map((r) => r.canonical)}::bytea[], ${batch.map((r) => r.leaf_hash)}::bytea[])`.execute(trx),
    );
  }
  return rows / ((performance.now() - started) / 1000);
}

async function singleRowTransactions(url: string, rows: number): Promise<number> {
  const handle = openPostgresDatabase({ url, maxConnections: 8 });
  await plainTable(handle.db);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < rows) {
        const row = plainRow(next++);
        await handle.db.transaction().execute((trx) =>
          trx
            .insertInto('bench_plain' as 'ledger_entries')
            .values(row)
            .execute(),
        );
      }
    }),
  );
  const rate = rows / ((performance.now() - started) / 1000);
  await handle.close();
  return rate;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; peakRss: number; peakHeap: number }> {
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  }, 20);
  try {
    const result = await work();
    return { result, peakRss, peakHeap };
  } finally {
    clearInterval(timer);
  }
}

async function main(): Promise<void> {
  const name = `footage_warden_bench_${process.pid}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  let handle: DatabaseHandle | undefined;
  try {
    handle = openPostgresDatabase({ url: url.toString(), maxConnections: 4 });
    const { db } = handle;
    await migrateToLatest(db);
    const settings = await sql<{ fsync: string; sc: string; version: string }>`
      SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc, version() AS version`.execute(db);
    const setting = settings.rows[0];
    console.log(`machine: ${os.cpus().length} cores, ${megabytes(os.totalmem())}, node ${process.version}`);
    console.log(`postgres: fsync=${setting?.fsync} synchronous_commit=${setting?.sc}; ${setting?.version}`);
    console.log(
      `workload: ${SAMPLE} appends by ${CALLERS} concurrent callers; log grown to ${ENTRIES} entries for proofs and verification\n`,
    );

    const ceilingRate = await ceiling(db, SAMPLE);
    const singleRate = await singleRowTransactions(url.toString(), Math.min(SAMPLE, 10_000));
    await sql`DROP TABLE bench_plain`.execute(db);
    const key = generateKeyPairSync('ed25519').privateKey;
    const appender = new LedgerAppender({
      db,
      origin: ORIGIN,
      signingKey: key,
      maxBatch: Number(process.env.BENCH_MAX_BATCH ?? 1000),
    });
    const appends = await appendMany(appender, SAMPLE, CALLERS, 0);
    console.log('appends/s');
    console.log(`  ceiling, 500-row INSERTs, plain table:        ${ceilingRate.toFixed(0)}`);
    console.log(`  one INSERT per transaction, 8 connections:    ${singleRate.toFixed(0)}`);
    console.log(
      `  ledger group commit, ${CALLERS} callers:           ${appends.rate.toFixed(0)}  (${((appends.rate / ceilingRate) * 100).toFixed(0)}% of the ceiling, ${(appends.rate / singleRate).toFixed(1)}x one-per-transaction)`,
    );
    console.log(`  append-to-commit latency p50 ${appends.p50.toFixed(1)} ms, p99 ${appends.p99.toFixed(1)} ms\n`);

    let grown = SAMPLE + 1;
    while (grown < ENTRIES) {
      const step = Math.min(100_000, ENTRIES - grown);
      await appendMany(appender, step, CALLERS, grown);
      grown += step;
    }
    const size = grown;
    console.log(`log size: ${size} entries`);

    const latencies: number[] = [];
    for (let i = 0; i < 2000; i += 1) {
      const seq = Math.floor(Math.random() * size);
      const begun = performance.now();
      await inclusionProof(db, seq, size);
      latencies.push(performance.now() - begun);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `inclusion proof at ${size} entries: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms (2000 random leaves)\n`,
    );

    const verifierKey = verifierKeyFor(ORIGIN, key);
    const verification = await peakMemory(async () => {
      const begun = performance.now();
      const result = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [verifierKey] });
      return { result, seconds: (performance.now() - begun) / 1000 };
    });
    console.log(
      `verification: ${verification.result.result.ok ? 'ok' : 'FAILED'}, ${(size / verification.result.seconds).toFixed(0)} entries/s; peak RSS ${megabytes(verification.peakRss)}, peak heap ${megabytes(verification.peakHeap)}`,
    );

    const exported = await peakMemory(async () => {
      let bytes = 0;
      const begun = performance.now();
      for await (const chunk of exportLines(db, ORIGIN, { from: 0, to: size })) bytes += chunk.length;
      return { bytes, seconds: (performance.now() - begun) / 1000 };
    });
    console.log(
      `export: ${megabytes(exported.result.bytes)} in ${exported.result.seconds.toFixed(1)} s; peak RSS ${megabytes(exported.peakRss)}, peak heap ${megabytes(exported.peakHeap)}`,
    );
    await appender.close();
  } finally {
    await handle?.close();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

// `node dist/bench/ledger.js suites` runs the suites' comparison alone.
if (!process.argv.includes('suites')) await main();
await benchSuites();
