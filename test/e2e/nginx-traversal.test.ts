/**
 * A hostile operator against a real nginx with the shipped configuration: URIs that nginx decodes,
 * merges or resolves into another camera's or another window's footage. The corpus is built from
 * RFC 3986 §5.2.4 (dot segments), nginx's own URI handling (it percent-decodes `$uri`, `%2F`
 * included, merges slashes and resolves dot segments before mapping a file) and the encodings other
 * decoders read differently (double encoding, overlong UTF-8, backslashes, path parameters, NUL).
 * Requests go out byte for byte over a socket: an HTTP client library would normalise them first.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import t from 'tap';
import { nginxBinary, startNginx } from '../../bench/nginx.js';
import { e2eSkip, listeningExampleService } from '../helpers/e2e.js';

const DAY = 86_400;

/** Sends one request line as given and reads the whole answer (Connection: close). */
function rawGet(port: number, target: string, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const answer = Buffer.concat(chunks);
      const split = answer.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer.subarray(0, 16).toString('latin1'))?.[1] ?? 0);
      resolve({ status, body: split === -1 ? Buffer.alloc(0) : answer.subarray(split + 4) });
    });
    const lines = [`GET ${target} HTTP/1.1`, 'Host: footage.test', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    // Written without half-closing: nginx takes an early FIN for a client that went away.
    socket.write(Buffer.from(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`, 'latin1'));
  });
}

/** A file whose bytes say whose footage it is, so a leak of any byte of it can be found. */
async function footage(root: string, uri: string, marker: string): Promise<void> {
  const file = path.join(root, uri);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#EXTM3U\n# FOOTAGE ${marker}\n`);
}

t.test(
  'no URI trick serves another camera or window through nginx, and each attempt is a recorded deny',
  { skip: e2eSkip(nginxBinary() !== undefined, 'nginx') },
  async (t) => {
    const { service, directory, root, servicePort } = await listeningExampleService(t, 'traversal');

    // op-wang may see cam-square-north (A), recent footage only (retention 30 days). B is another
    // unit's camera; OLD is A's footage from 60 days ago.
    const now = Math.floor(Date.now() / 1000);
    const recent = { from: now - 2 * 3600, to: now - 3600 };
    const old = { from: now - 60 * DAY, to: now - 60 * DAY + 3600 };
    const A = 'cam-square-north';
    const B = 'cam-metro-hall';
    const secret = ['OTHER-CAMERA', 'OLD-WINDOW'];
    await footage(root, `/live/${A}/index.m3u8`, 'OWN-LIVE');
    await footage(root, `/live/${B}/index.m3u8`, 'OTHER-CAMERA');
    await footage(root, `/hls/${A}/${recent.from}/${recent.to}/index.m3u8`, 'OWN-RECENT');
    await footage(root, `/hls/${A}/${old.from}/${old.to}/index.m3u8`, 'OLD-WINDOW');
    await footage(root, `/hls/${B}/${recent.from}/${recent.to}/index.m3u8`, 'OTHER-CAMERA');
    await footage(root, `/export/${A}/${recent.from}/${recent.to}/clip.mp4`, 'OWN-EXPORT');
    await footage(root, `/export/${B}/${recent.from}/${recent.to}/clip.mp4`, 'OTHER-CAMERA');
    await footage(root, `/export/${A}/${old.from}/${old.to}/clip.mp4`, 'OLD-WINDOW');
    const nginx = await startNginx({ directory, servicePort, root });
    t.teardown(() => nginx.stop());
    const wang = {
      Authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}`,
      'X-Access-Reason': 'incident 2026-118',
    };

    const own = await rawGet(nginx.port, `/hls/${A}/${recent.from}/${recent.to}/index.m3u8`, wang);
    t.equal(own.status, 200, 'the operator is served their own camera and window');
    t.match(own.body.toString(), /OWN-RECENT/);
    t.equal((await rawGet(nginx.port, `/live/${B}/index.m3u8`, wang)).status, 403, 'and not the other camera, asked plainly');
    t.equal((await rawGet(nginx.port, `/hls/${A}/${old.from}/${old.to}/index.m3u8`, wang)).status, 403, 'nor the old window');

    // Each way of writing "go up one segment" and "a separator", as one decoder or another reads it.
    const up = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '%C0%AE%C0%AE', '..;', '.'];
    const slash = ['/', '%2f', '%2F', '%252f', '%5c', '%5C', '\\', '%C0%AF', '//', '/./', '/%2e/'];
    const corpus = new Set<string>();
    const liveOwn = `/live/${A}`;
    const hlsOwn = `/hls/${A}/${recent.from}/${recent.to}`;
    const exportOwn = `/export/${A}/${recent.from}/${recent.to}`;
    for (const dots of up) {
      for (const sep of slash) {
        corpus.add(`${liveOwn}/${dots}${sep}${B}/index.m3u8`);
        corpus.add(`${hlsOwn}/${dots}${sep}${dots}${sep}${old.from}${sep === '//' ? '/' : sep}${old.to}/index.m3u8`);
      }
      corpus.add(`${hlsOwn}/${dots}/${dots}/${dots}/${dots}/${B}/${recent.from}/${recent.to}/index.m3u8`);
      corpus.add(`${exportOwn}/${dots}/${dots}/${dots}/${B}/${recent.from}/${recent.to}/clip.mp4`);
      corpus.add(`${exportOwn}/${dots}/${dots}/${old.from}/${old.to}/clip.mp4`);
    }
    for (const extra of [
      `/live/${A}%2F..%2F${B}/index.m3u8`,
      `/live/${A}%2f%2e%2e%2f${B}/index.m3u8`,
      `/live//${B}/index.m3u8`,
      `//live/${B}/index.m3u8`,
      `/live/./${B}/index.m3u8`,
      `/live/${A}/x/../../${B}/index.m3u8`,
      `/live/${A}/../../hls/${B}/${recent.from}/${recent.to}/index.m3u8`,
      `/live/${A};/../${B}/index.m3u8`,
      `/live/${A}/..;/${B}/index.m3u8`,
      `/live/${A}/%2e%2e/%2e%2e/export/${B}/${recent.from}/${recent.to}/clip.mp4`,
      `/live/${B}/index.m3u8%00.ts`,
      `/live/${A}/..%00/${B}/index.m3u8`,
      `/live/${A}/..%2F${B}/index.m3u8?token=x&token=y`,
      `/live/${A}/%/../${B}/index.m3u8`,
      `/live/${A}/%zz/../${B}/index.m3u8`,
      `/live/${A}/%ED%A0%80/../${B}/index.m3u8`,
      `/live/${A}/..%u2215${B}/index.m3u8`,
      `/hls/${A}/${recent.from}/${old.to}/../../${old.from}/${old.to}/index.m3u8`,
      `/hls/${A}/${old.from}%2F${old.to}/index.m3u8`,
      `/export/${A}/${recent.from}/${recent.to}/..%2F..%2F..%2F${B}%2F${recent.from}%2F${recent.to}%2Fclip.mp4`,
    ]) {
      corpus.add(extra);
    }
    t.ok(corpus.size >= 50, `the corpus holds ${corpus.size} variants (at least 50)`);

    const statuses = new Map<number, number>();
    for (const uri of corpus) {
      const before = await service.entryCount();
      const answer = await rawGet(nginx.port, uri, wang);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const leaked = secret.filter((marker) => answer.body.includes(marker));
      t.same(leaked, [], `${uri}: no byte of another camera or window`);
      t.not(answer.status, 200, `${uri}: not served`);
      // nginx answers 400 itself to a request it cannot parse; anything it passes on is decided.
      if (answer.status !== 400) {
        t.equal(answer.status, 403, `${uri}: refused`);
        t.equal(await service.entryCount(), before + 1, `${uri}: the refusal is recorded`);
      }
    }
    t.comment(`statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    const log = await readFile(nginx.errorLog, 'utf8');
    t.notMatch(log, /footage-warden-refused.*open\(\)/, 'the refusal location never serves a file');
  },
);
