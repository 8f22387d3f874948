/**
 * The service as its own process for HTTP benchmarks: `node dist/src/main.js` in development mode
 * with the example registry, on a scratch database of the server DATABASE_URL names, dropped
 * afterwards. Prints the machine's settings that the figures depend on.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { mintDevelopmentToken } from '../src/keys/development-token.js';
import { loadOrCreateDevelopmentTokenSecret } from '../src/keys/key-files.js';
import { packagePath } from '../src/package-root.js';
import { freePort } from './nginx.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface BenchService {
  readonly origin: string;
  readonly port: number;
  readonly databaseUrl: string;
  token(subject: string, unit: string): string;
  /** Runs a query on the scratch database. */
  count(sql: string): Promise<number>;
}

/** Starts the service, runs `work` against it, and cleans up whatever happens. */
export async function withServiceProcess(name: string, work: (service: BenchService) => Promise<void>): Promise<void> {
  const database = `fw_bench_${name}_${process.pid}`;
  const settings = await withClient(BASE_URL, async (client) => {
    await client.query(`CREATE DATABASE ${database}`);
    const fsync = (await client.query('SHOW fsync')).rows[0].fsync;
    const commit = (await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
    return { fsync, commit };
  });
  const url = new URL(BASE_URL);
  url.pathname = `/${database}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-bench-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [packagePath('dist', 'src', 'main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: url.toString(),
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    console.log(
      `machine: ${os.cpus().length} cores, node ${process.version}; PostgreSQL fsync=${settings.fsync}, synchronous_commit=${settings.commit}`,
    );
    const secret = await loadOrCreateDevelopmentTokenSecret(dataDir);
    const token = (subject: string, unit: string) =>
      mintDevelopmentToken(secret, {
        subject,
        unit,
        ttlSeconds: 3600,
        issuer: 'footage-warden-dev',
        audience: 'footage-warden',
        unitClaim: 'unit',
      });
    const adminHeaders = { authorization: `Bearer ${token('admin', 'dev')}` };
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}) before loading the example registry`);
      const ready = await fetch(`${origin}/v1/cameras?limit=1`, { headers: adminHeaders })
        .then(async (response) => response.ok && ((await response.json()) as { items: unknown[] }).items.length > 0)
        .catch(() => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error('timed out waiting for the example registry');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await work({
      origin,
      port,
      databaseUrl: url.toString(),
      token,
      count: (sql) => withClient(url.toString(), async (client) => Number((await client.query(sql)).rows[0].count)),
    });
  } finally {
    // A service that already exited (say, it failed to start) emits no second 'exit'.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
    await withClient(BASE_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  }
}

export interface Run {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

export async function load(options: autocannon.Options): Promise<Run> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export function row(name: string, run: Run): string {
  return `${name.padEnd(26)} ${run.rps.toFixed(0).padStart(8)} req/s   p50 ${run.p50.toFixed(1).padStart(5)} ms   p99 ${run.p99
    .toFixed(1)
    .padStart(5)} ms   ${run.requests} requests, ${run.non2xx} non-2xx, ${run.errors} errors, ${run.timeouts} timeouts`;
}
