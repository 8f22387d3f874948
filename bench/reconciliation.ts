/**
 * Reconciliation's rate (part of npm run bench:gate): an access log in the shipped `footage_warden`
 * format, BENCH_RECONCILE_LINES lines (default 10 million, about a day of a 1,000-camera city's
 * segment requests), written to a scratch file and streamed to `POST /v1/reconciliations` of the
 * service running as its own process. The lines name BENCH_RECONCILE_DECISIONS recorded decisions
 * (default 2,000), and one line in ten thousand names none, so the findings path is exercised too.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type BenchService, withServiceProcess } from './service-process.js';

const LINES = Number(process.env.BENCH_RECONCILE_LINES ?? 10_000_000);
const DECISIONS = Number(process.env.BENCH_RECONCILE_DECISIONS ?? 2_000);
const CAMERAS = ['cam-square-north', 'cam-square-south', 'cam-river-road'];
const TARGET_SECONDS = 300;

interface Decided {
  readonly id: string;
  readonly path: string;
}

async function decisions(service: BenchService): Promise<Decided[]> {
  const headers = { authorization: `Bearer ${service.token('op-wang', 'riverside-psb')}`, 'content-type': 'application/json' };
  // Windows of the last days, inside every camera's retention.
  const base = Math.floor(Date.now() / 1000) - Math.ceil(DECISIONS / CAMERAS.length) * 600 - 3_600;
  const made: Decided[] = [];
  for (let n = 0; n < DECISIONS; n += 1) {
    const camera = CAMERAS[n % CAMERAS.length] as string;
    const from = base + Math.floor(n / CAMERAS.length) * 600;
    const to = from + 600;
    const answer = await fetch(`${service.origin}/v1/decisions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        camera_id: camera,
        action: 'playback',
        window: { from: new Date(from * 1000).toISOString(), to: new Date(to * 1000).toISOString() },
        purpose: 'public_safety',
        reason: 'incident 2026-118',
      }),
    });
    const body = (await answer.json()) as { decision_id: string; decision: string };
    if (body.decision !== 'allow') throw new Error(`decision ${n} was not an allow: ${JSON.stringify(body)}`);
    made.push({ id: body.decision_id, path: `/hls/${camera}/${from}/${to}` });
  }
  return made;
}

async function writeLog(file: string, decided: readonly Decided[]): Promise<void> {
  const out = createWriteStream(file);
  const now = Date.now() / 1000;
  let chunk = '';
  for (let n = 0; n < LINES; n += 1) {
    const decision = decided[n % decided.length] as Decided;
    const msec = (now + (n % 60_000) / 1000).toFixed(3);
    const named = n % 10_000 === 9_999 ? '' : decision.id;
    chunk += `{"time":"2026-11-30T10:00:00+00:00","msec":${msec},"request_time":0.002,"method":"GET","path":"${decision.path}/segment-${n % 600}.ts","status":200,"bytes":188000,"decision":"${named}"}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

export async function benchReconciliation(): Promise<void> {
  await withServiceProcess('reconcile', async (service) => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-bench-reconcile-'));
    try {
      const decided = await decisions(service);
      const file = path.join(directory, 'access.log');
      await writeLog(file, decided);
      const { size } = await stat(file);
      const started = process.hrtime.bigint();
      const answer = await fetch(`${service.origin}/v1/reconciliations?sessions=false`, {
        method: 'POST',
        headers: { authorization: `Bearer ${service.token('admin', 'dev')}`, 'content-type': 'application/x-ndjson' },
        body: Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>,
        duplex: 'half',
      } as RequestInit);
      const body = (await answer.json()) as { counts?: Record<string, number> };
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (answer.status !== 201 || body.counts === undefined)
        throw new Error(`reconciliation answered ${answer.status}: ${JSON.stringify(body)}`);
      const { counts } = body;
      const expectedMissing = Math.floor(LINES / 10_000);
      if (counts.reconciled !== LINES - expectedMissing || counts.served_without_decision !== expectedMissing) {
        throw new Error(`unexpected counts: ${JSON.stringify(counts)}`);
      }
      console.log(
        `reconciliation: ${LINES.toLocaleString('en')} lines (${(size / 2 ** 20).toFixed(0)} MiB, ${DECISIONS} decisions) in ${seconds.toFixed(1)} s = ` +
          `${Math.round(LINES / seconds).toLocaleString('en')} lines/s; target 10 million in ${TARGET_SECONDS} s ` +
          `(${Math.round(10_000_000 / TARGET_SECONDS).toLocaleString('en')} lines/s): ${((10_000_000 / (LINES / seconds) / TARGET_SECONDS) * 100).toFixed(0)}% of the budget`,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
}
