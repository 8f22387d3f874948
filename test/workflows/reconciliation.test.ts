import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { reconcile } from '../../src/workflows/reconciliation.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

const oversight = { subject: 'admin', unit: 'dev' };

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

t.test('a log read in chunks cut anywhere, through lines and characters, reconciles as the whole', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { context } = service.service;
  const now = Date.now() / 1000;
  const lines = [
    { msec: now, path: '/hls/cam-square-north/1/2/a.ts', status: 200, bytes: 1, decision: '' },
    { msec: now, path: '/hls/cam-square-north/1/2/é-ü-中.ts', status: 200, bytes: 1, decision: '' },
    { msec: now, path: '/live/cam-square-south/index.m3u8', status: 403, bytes: 0, decision: '' },
  ].map((line) => JSON.stringify(line));
  const bytes = Buffer.from(`${lines.join('\r\n')}\r\n\n${'x'.repeat(40_000)}\n${lines[0]}`);
  const whole = (await reconcile(context, oversight, { log: chunks(bytes, bytes.length), sessions: false })).result;
  t.match(whole.counts, { lines: 5, unreadable: 1, served: 3, refused: 1, served_without_decision: 3 });
  for (const size of [1, 2, 3, 7, 64, 4096, 16_385]) {
    const cut = (await reconcile(context, oversight, { log: chunks(bytes, size), sessions: false })).result;
    t.same(cut.counts, whole.counts, `chunks of ${size} bytes`);
    t.same(cut.input, whole.input, `and the same SHA-256 over ${size}-byte chunks`);
    t.same(
      cut.findings.map((finding) => [finding.line, finding.path]),
      whole.findings.map((finding) => [finding.line, finding.path]),
    );
  }
  t.ok(
    whole.findings.some((finding) => finding.path === '/hls/cam-square-north/1/2/é-ü-中.ts' && finding.line === 2),
    'multi-byte characters split across chunks survive',
  );

  const period = { from: new Date((now + 60) * 1000), to: new Date((now + 120) * 1000) };
  const outside = (await reconcile(context, oversight, { log: chunks(bytes, 64), period, sessions: false })).result;
  t.match(outside.counts, { outside_period: 4, served: 0 }, 'lines outside the period given are counted, not judged');
});

t.test('more findings than the entry keeps are counted, and the cut is said', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const line = JSON.stringify({ msec: Date.now() / 1000, path: '/live/cam-square-north/x.ts', status: 200, bytes: 1 });
  const log = chunks(Buffer.from(`${line}\n`.repeat(120)), 1000);
  const { result } = await reconcile(service.service.context, oversight, { log, sessions: false });
  t.equal(result.counts.served_without_decision, 120);
  t.equal(result.findings.length, 50);
  t.equal(result.findings_truncated, true);

  const long = JSON.stringify({
    msec: Date.now() / 1000,
    path: '/live/cam-square-north/x.ts',
    status: 200,
    bytes: 1,
    decision: 'd'.repeat(200),
  });
  const named = (await reconcile(service.service.context, oversight, { log: chunks(Buffer.from(long), 64), sessions: false }))
    .result;
  t.match(named.findings, [{ problem: 'unknown-decision' }], 'an id no decision could have is unknown, and not looked up');
});
