/**
 * The two cryptographic suites side by side (part of npm run bench:ledger): for `c2sp` (SHA-256,
 * Ed25519) and `shangmi` (SM3, SM2), each on a fresh database of the same server in one run,
 * appends per second from BENCH_CALLERS callers, the stored log's verification in entries per
 * second, and inclusion-proof latency. Target: `shangmi` within 50% of `c2sp`'s append and
 * verification rates.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { verifierKeyFor } from '../src/ledger/note.js';
import { type SuiteName, treeHashOf } from '../src/ledger/tree-hash.js';
import { LedgerAppender } from '../src/ledger-store/ledger-appender.js';
import { inclusionProof } from '../src/ledger-store/ledger-proofs.js';
import { verifyStoredLedger } from '../src/ledger-store/ledger-verification.js';
import { openPostgresDatabase } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { appendMany } from './appends.js';
import { percentile } from './statistics.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ENTRIES = Number(process.env.BENCH_SUITE_ENTRIES ?? 100_000);
const CALLERS = Number(process.env.BENCH_CALLERS ?? 500);
const ORIGIN = 'bench.footage-warden/suites';

interface SuiteFigures {
  readonly appends: number;
  readonly appendP99: number;
  readonly verified: number;
  readonly proofP99: number;
}

async function admin(query: string): Promise<Record<string, string>[]> {
  const client = new pg.Client({ connectionString: BASE_URL });
  await client.connect();
  try {
    return (await client.query(query)).rows;
  } finally {
    await client.end();
  }
}

function keyOf(suite: SuiteName): KeyObject {
  return suite === 'shangmi'
    ? generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey
    : generateKeyPairSync('ed25519').privateKey;
}

async function measure(suite: SuiteName): Promise<SuiteFigures> {
  const name = `footage_warden_bench_${suite}_${process.pid}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  const handle = openPostgresDatabase({ url: url.toString(), maxConnections: 4 });
  try {
    const { db } = handle;
    await migrateToLatest(db);
    const key = keyOf(suite);
    const appender = new LedgerAppender({ db, origin: ORIGIN, signingKey: key });
    const appended = await appendMany(appender, ENTRIES, CALLERS, 0);
    await appender.close();
    const size = ENTRIES + (suite === 'shangmi' ? 2 : 1);
    const hasher = treeHashOf(suite);
    const latencies: number[] = [];
    for (let i = 0; i < 2000; i += 1) {
      const seq = Math.floor(Math.random() * size);
      const begun = performance.now();
      await inclusionProof(db, seq, size, hasher);
      latencies.push(performance.now() - begun);
    }
    latencies.sort((a, b) => a - b);
    const begun = performance.now();
    const result = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [verifierKeyFor(ORIGIN, key)], hasher });
    const seconds = (performance.now() - begun) / 1000;
    if (!result.ok) throw new Error(`the ${suite} log did not verify: ${JSON.stringify(result.firstFailure)}`);
    return {
      appends: appended.rate,
      appendP99: appended.p99,
      verified: result.treeSize / seconds,
      proofP99: percentile(latencies, 99),
    };
  } finally {
    await handle.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

export async function benchSuites(): Promise<void> {
  const [settings] = await admin(`SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc`);
  console.log(
    `machine: ${os.cpus().length} cores, node ${process.version}; PostgreSQL fsync=${settings?.fsync}, synchronous_commit=${settings?.sc}`,
  );
  console.log(
    `\nsuites: ${ENTRIES} appends by ${CALLERS} callers, then verification and 2000 inclusion proofs, each suite on a fresh database`,
  );
  const c2sp = await measure('c2sp');
  const shangmi = await measure('shangmi');
  const row = (name: string, f: SuiteFigures) =>
    `  ${name.padEnd(8)} appends ${f.appends.toFixed(0).padStart(6)}/s (p99 ${f.appendP99.toFixed(1)} ms)   verification ${f.verified.toFixed(0).padStart(7)} entries/s   inclusion proof p99 ${f.proofP99.toFixed(2)} ms`;
  console.log(row('c2sp', c2sp));
  console.log(row('shangmi', shangmi));
  const share = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
  console.log(
    `  shangmi / c2sp: appends ${share(shangmi.appends, c2sp.appends)}, verification ${share(shangmi.verified, c2sp.verified)} (target: at least 50% each)`,
  );
}
