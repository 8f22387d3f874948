/**
 * npm run bench:http — audited access decisions over HTTP, beside the ceiling for an authenticated
 * request on this stack, measured in the same run against the same server:
 *   ceiling    GET /v1/me: token verification, the permission index, a JSON answer (no database)
 *   decisions  POST /v1/decisions: validation, the rules, one ledger entry committed per answer
 * both with autocannon at BENCH_CONNECTIONS connections for BENCH_SECONDS each, the service running
 * as its own process (`node dist/src/main.js`, development mode with the example registry) on a
 * scratch database of the server DATABASE_URL names. Then the permission index alone: decision
 * time with 10,000 policy lines, 1,000 people and 50 units, beside casbin's enforce() on the same
 * policy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { mintDevelopmentToken } from '../src/keys/development-token.js';
import { loadOrCreateDevelopmentTokenSecret } from '../src/keys/key-files.js';
import { packagePath } from '../src/package-root.js';
import { benchPermissionIndex } from './permission-index.js';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}) before ${what}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Run {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function load(options: autocannon.Options): Promise<Run> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function row(name: string, run: Run): string {
  return `${name.padEnd(22)} ${run.rps.toFixed(0).padStart(8)} req/s   p50 ${run.p50.toFixed(1).padStart(5)} ms   p99 ${run.p99
    .toFixed(1)
    .padStart(5)} ms   ${run.requests} requests, ${run.non2xx} non-2xx, ${run.errors} errors`;
}

async function benchHttp(): Promise<void> {
  const name = `fw_bench_http_${process.pid}`;
  const settings = await withClient(BASE_URL, async (client) => {
    await client.query(`CREATE DATABASE ${name}`);
    const fsync = (await client.query('SHOW fsync')).rows[0].fsync;
    const commit = (await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
    return { fsync, commit };
  });
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
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
    console.log(`load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run, service and load on the same machine`);
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
    await waitFor(
      async () => {
        const response = await fetch(`${origin}/v1/cameras?limit=1`, { headers: adminHeaders });
        return response.ok && ((await response.json()) as { items: unknown[] }).items.length > 0;
      },
      'the example registry',
      child,
    );
    const operator = { authorization: `Bearer ${token('op-wang', 'riverside-psb')}`, 'content-type': 'application/json' };
    const to = new Date(Date.now() - 60_000);
    const body = JSON.stringify({
      camera_id: 'cam-square-north',
      action: 'playback',
      window: { from: new Date(to.getTime() - 3_600_000).toISOString(), to: to.toISOString() },
      purpose: 'public_safety',
      reason: 'incident report 2026-118',
    });
    const ceilingRequest = { url: `${origin}/v1/me`, headers: operator };
    const decisionRequest = { url: `${origin}/v1/decisions`, method: 'POST' as const, headers: operator, body };

    await load({ ...ceilingRequest, duration: 3 });
    await load({ ...decisionRequest, duration: 3 });
    const count = () =>
      withClient(url.toString(), async (client) =>
        Number((await client.query(`SELECT count(*) FROM ledger_entries WHERE kind = 'decision.made'`)).rows[0].count),
      );
    const ceilingBefore = await load(ceilingRequest);
    const entriesBefore = await count();
    const decisions = await load(decisionRequest);
    const recorded = (await count()) - entriesBefore;
    const ceilingAfter = await load(ceilingRequest);
    const ceiling = (ceilingBefore.rps + ceilingAfter.rps) / 2;
    console.log(row('ceiling (GET /v1/me)', ceilingBefore));
    console.log(row('decisions', decisions));
    console.log(row('ceiling again', ceilingAfter));
    console.log(
      `decisions: ${((100 * decisions.rps) / ceiling).toFixed(0)}% of the ceiling (mean of both ceiling runs), p99 ${decisions.p99.toFixed(1)} ms; ` +
        `${recorded} decision entries recorded for ${decisions.requests - decisions.non2xx - decisions.errors} answered`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
    await withClient(BASE_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

await benchHttp();
await benchPermissionIndex();
