/**
 * npm run bench:gate — the gate for nginx auth_request.
 *   in-process  GET /v1/gate through Fastify's inject for an allow already recorded (the segments
 *               of a playlist): bearer token verified, path matched, allow served from the cache;
 *               and the same with a playback token. Latency per request, p50 and p99.
 *   end to end  nginx (the documented server block, one worker) serving HLS segments behind
 *               auth_request to the service running as its own process, with autocannon; beside
 *               the same nginx serving the same files without the gate, in the same run: with a
 *               user's bearer token, a playback token added to each segment's URI, and a player's
 *               session credential (the signed prefix, the cookie).
 *   reconciliation  `POST /v1/reconciliations` of a generated access log in the shipped format
 *               (BENCH_RECONCILE_LINES lines, default 10 million: a day of a 1,000-camera city),
 *               streamed from a file: lines per second (bench/reconciliation.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { composeService } from '../src/compose.js';
import { loadConfig } from '../src/config.js';
import { mintDevelopmentToken } from '../src/keys/development-token.js';
import { loadOrCreateDevelopmentTokenSecret } from '../src/keys/key-files.js';
import { createLogger } from '../src/observability/logger.js';
import { recentWindow, startNginx, writeHlsFixture } from './nginx.js';
import { benchReconciliation } from './reconciliation.js';
import { type BenchService, CONNECTIONS, load, type Run, row, SECONDS, withServiceProcess } from './service-process.js';
import { percentile } from './statistics.js';

const HOUR = 3_600_000;
const ITERATIONS = Number(process.env.BENCH_GATE_ITERATIONS ?? 20_000);

async function benchInProcess(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-bench-gate-'));
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const service = await composeService(config, createLogger('silent'));
  try {
    const secret = await loadOrCreateDevelopmentTokenSecret(dataDir);
    const bearer = `Bearer ${mintDevelopmentToken(secret, {
      subject: 'op-wang',
      unit: 'riverside-psb',
      ttlSeconds: 3600,
      issuer: config.auth.issuer,
      audience: config.auth.audience,
      unitClaim: config.auth.unitClaim,
    })}`;
    const window = recentWindow(2 * HOUR, HOUR);
    const uri = (n: number) => `/hls/cam-square-north/${window.from}/${window.to}/segment-${n}.ts`;
    // What nginx passes: the raw URI and the path it serves (the same for a plain URI).
    const original = (n: number) => ({ 'x-original-uri': uri(n), 'x-served-uri': uri(n) });
    const { app } = service;
    const headers = { authorization: bearer, 'x-access-reason': 'incident 2026-118' };
    const first = await app.inject({ method: 'GET', url: '/v1/gate', headers: { ...headers, ...original(0) } });
    if (first.statusCode !== 204) throw new Error(`the first gate request answered ${first.statusCode}: ${first.body}`);
    const decided = await app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { authorization: bearer },
      payload: {
        camera_id: 'cam-square-north',
        action: 'playback',
        window: { from: new Date(window.from * 1000).toISOString(), to: new Date(window.to * 1000).toISOString() },
        purpose: 'public_safety',
        reason: 'incident 2026-118',
        playback_token: true,
      },
    });
    const playbackToken = decided.json().playback_token as string;
    const measure = async (name: string, request: (n: number) => Record<string, string>) => {
      const times = new Float64Array(ITERATIONS);
      for (let n = 0; n < ITERATIONS; n += 1) {
        const started = process.hrtime.bigint();
        const answer = await app.inject({ method: 'GET', url: '/v1/gate', headers: request(n) });
        times[n] = Number(process.hrtime.bigint() - started) / 1e6;
        if (answer.statusCode !== 204) throw new Error(`${name}: answered ${answer.statusCode}`);
      }
      times.sort();
      console.log(
        `${name.padEnd(34)} p50 ${percentile(times, 50).toFixed(3)} ms   p99 ${percentile(times, 99).toFixed(3)} ms   (${ITERATIONS} requests)`,
      );
      return percentile(times, 99);
    };
    await measure('warm-up', (n) => ({ ...headers, ...original(n % 100) }));
    const cached = await measure('cached allow (bearer token)', (n) => ({ ...headers, ...original(n % 100) }));
    await measure('playback token (Authorization)', (n) => ({
      authorization: `Bearer ${playbackToken}`,
      ...original(n % 100),
    }));
    console.log(`cached allow p99: ${cached.toFixed(3)} ms (target at most 1 ms)`);
  } finally {
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function benchThroughNginx(): Promise<void> {
  await withServiceProcess('gate', async (service) => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-bench-nginx-'));
    const root = path.join(directory, 'footage');
    const fixture = await writeHlsFixture(root, 'cam-square-north', recentWindow(2 * HOUR, HOUR), 100);
    const nginx = await startNginx({ directory, servicePort: service.port, root });
    try {
      console.log(
        `load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run; nginx (1 worker), the service, PostgreSQL and the load on the same machine`,
      );
      const headers = {
        authorization: `Bearer ${service.token('op-wang', 'riverside-psb')}`,
        'x-access-reason': 'incident 2026-118',
      };
      const requests = (
        port: number,
        shape: (segment: string) => { path: string; headers: Record<string, string> } = (segment) => ({ path: segment, headers }),
      ) => ({
        url: `http://127.0.0.1:${port}`,
        requests: fixture.segments.map((segment) => ({ method: 'GET' as const, ...shape(segment) })),
      });
      const token = await playbackTokenOf(service, fixture.window);
      const entries = () => service.count(`SELECT count(*) FROM ledger_entries WHERE kind = 'decision.made'`);
      const before = await entries();
      const warmUp = await load({ ...requests(nginx.port), duration: 3 });
      const open = await load(requests(nginx.openPort));
      const gated = await load(requests(nginx.port));
      const recorded = (await entries()) - before;
      const perSegmentToken = await load(requests(nginx.port, (segment) => ({ path: `${segment}?token=${token}`, headers: {} })));
      const prefixed = await load(requests(nginx.port, (segment) => ({ path: `/s/${token}${segment}`, headers: {} })));
      const cookie = await load(
        requests(nginx.port, (segment) => ({ path: segment, headers: { cookie: `fw_playback=${token}` } })),
      );
      console.log(row('nginx without the gate', open));
      console.log(row('nginx with the gate', gated));
      console.log(row('  token in each URI', perSegmentToken));
      console.log(row('  session: signed prefix', prefixed));
      console.log(row('  session: cookie', cookie));
      const share = (run: Run) => `${((100 * run.rps) / open.rps).toFixed(0)}%`;
      console.log(
        `session credential: prefix ${prefixed.rps.toFixed(0)}/s (${share(prefixed)} of nginx alone), cookie ${cookie.rps.toFixed(0)}/s (${share(cookie)}), ` +
          `beside a token in each URI ${perSegmentToken.rps.toFixed(0)}/s (${share(perSegmentToken)}) and a bearer token ${gated.rps.toFixed(0)}/s (${share(gated)})`,
      );
      for (const [name, run] of [
        ['token in each URI', perSegmentToken],
        ['prefix', prefixed],
        ['cookie', cookie],
      ] as const) {
        // autocannon counts the connections it cuts at the end of a run as errors; a refusal is a non-2xx.
        if (run.non2xx > 0) throw new Error(`${name}: ${run.non2xx} answers were not 2xx`);
      }
      console.log(
        `segments through the gate: ${gated.rps.toFixed(0)}/s (target at least 2,000/s) = ${((100 * gated.rps) / open.rps).toFixed(0)}% of nginx alone; ` +
          `${recorded} decision entries for ${warmUp.requests + gated.requests} segment requests (warm-up included)`,
      );
    } finally {
      await nginx.stop();
      await rm(directory, { recursive: true, force: true });
    }
  });
}

/** A playback token for the fixture's camera and window, as a video management system asks for one. */
async function playbackTokenOf(service: BenchService, window: { from: number; to: number }): Promise<string> {
  const answer = await fetch(`${service.origin}/v1/decisions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${service.token('op-wang', 'riverside-psb')}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      camera_id: 'cam-square-north',
      action: 'playback',
      window: { from: new Date(window.from * 1000).toISOString(), to: new Date(window.to * 1000).toISOString() },
      purpose: 'public_safety',
      reason: 'incident 2026-118',
      playback_token: true,
    }),
  });
  const body = (await answer.json()) as { playback_token?: string };
  if (body.playback_token === undefined) throw new Error(`no playback token: ${JSON.stringify(body)}`);
  return body.playback_token;
}

// `node dist/bench/gate.js reconciliation` runs one part; without an argument, all of them.
const parts = process.argv.slice(2);
const wanted = (part: string) => parts.length === 0 || parts.includes(part);
if (wanted('in-process')) await benchInProcess();
if (wanted('nginx')) await benchThroughNginx();
if (wanted('reconciliation')) await benchReconciliation();
