/**
 * A real nginx in front of footage-warden, for the end-to-end test and the gate benchmark: the
 * server block is docs/integrations/nginx-footage-warden.conf itself, with its addresses and root
 * replaced, wrapped in a main configuration whose pid, logs and temporary paths live in a scratch
 * directory. `writeHlsFixture` writes a playlist and its segments for nginx to serve.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { packagePath } from '../src/package-root.js';

export const NGINX_CONF_FILE = packagePath('docs', 'integrations', 'nginx-footage-warden.conf');

export function nginxBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx']) {
    if (spawnSync(candidate, ['-v']).status === 0) return candidate;
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * nginx's workers may run as an unprivileged user: opens `from` and every directory above it up to
 * and including `top` (which must contain it) to reading by anyone.
 */
async function readableByWorkers(from: string, top: string): Promise<void> {
  if (path.relative(top, from).startsWith('..')) throw new Error(`${from} is not inside ${top}`);
  for (let dir = from; ; dir = path.dirname(dir)) {
    await chmod(dir, 0o755);
    if (dir === top) return;
  }
}

export interface RunningNginx {
  /** The documented server: footage behind the gate. */
  readonly port: number;
  /** The same root served without the gate: the static ceiling a benchmark compares with. */
  readonly openPort: number;
  readonly errorLog: string;
  /** The documented server's access log, in the documented `footage_warden` format. */
  readonly accessLog: string;
  stop(): Promise<void>;
}

/** The documented server block, pointed at the service, a port and a root. */
export async function documentedServerBlock(
  servicePort: number,
  port: number,
  root: string,
  accessLog: string,
  extra = '',
): Promise<string> {
  const text = await readFile(NGINX_CONF_FILE, 'utf8');
  const replaced = text
    .replace('server 127.0.0.1:3000;', `server 127.0.0.1:${servicePort};`)
    .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    .replace('root /srv/footage;', `root ${root};${extra === '' ? '' : `\n${extra}`}`)
    .replace('access_log /var/log/nginx/footage-warden.log footage_warden;', `access_log ${accessLog} footage_warden;`);
  const expected = [`:${servicePort};`, `:${port};`, `root ${root};`, `access_log ${accessLog} footage_warden;`];
  if (expected.some((part) => !replaced.includes(part))) {
    throw new Error(`${NGINX_CONF_FILE} no longer has the lines this runner replaces`);
  }
  return replaced;
}

export async function startNginx(options: {
  readonly directory: string;
  readonly servicePort: number;
  readonly root: string;
  readonly workers?: number;
  /** Directives added to the documented server block (a test's player page, a misconfigured location). */
  readonly extra?: string;
}): Promise<RunningNginx> {
  const binary = nginxBinary();
  if (binary === undefined) throw new Error('nginx is not installed (Debian: apt-get install nginx)');
  const { directory } = options;
  const port = await freePort();
  const openPort = await freePort();
  const temp = path.join(directory, 'temp');
  await mkdir(temp, { recursive: true });
  const errorLog = path.join(directory, 'error.log');
  const accessLog = path.join(directory, 'access.log');
  const main = [
    `worker_processes ${options.workers ?? 1};`,
    `pid ${path.join(directory, 'nginx.pid')};`,
    `error_log ${errorLog} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `  ${kind}_temp_path ${path.join(temp, kind)};`),
    await documentedServerBlock(options.servicePort, port, options.root, accessLog, options.extra),
    `  server { listen 127.0.0.1:${openPort}; root ${options.root}; }`,
    '}',
  ].join('\n');
  const conf = path.join(directory, 'nginx.conf');
  await writeFile(conf, main);
  await readableByWorkers(options.root, directory);
  const child: ChildProcess = spawn(binary, ['-e', errorLog, '-p', directory, '-c', conf, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = await readFile(errorLog, 'utf8').catch(() => '');
      throw new Error(`nginx did not start: ${stderr}${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    openPort,
    errorLog,
    accessLog,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Unix seconds of a window ending `endAgoMs` before now, `lengthMs` long. */
export function recentWindow(endAgoMs: number, lengthMs: number): { from: number; to: number } {
  const to = Math.floor((Date.now() - endAgoMs) / 1000);
  return { from: to - Math.floor(lengthMs / 1000), to };
}

/** An HLS playlist of `segments` six-second segments at /hls/{camera}/{from}/{to}/ under `root`. */
export async function writeHlsFixture(
  root: string,
  camera: string,
  window: { from: number; to: number },
  segments: number,
): Promise<{ playlist: string; segments: string[]; window: { from: number; to: number } }> {
  const base = `/hls/${camera}/${window.from}/${window.to}`;
  const directory = path.join(root, base);
  await mkdir(directory, { recursive: true });
  const names = Array.from({ length: segments }, (_, index) => `segment-${String(index).padStart(4, '0')}.ts`);
  const playlist = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    ...names.flatMap((name) => ['#EXTINF:6.000,', name]),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
  await writeFile(path.join(directory, 'index.m3u8'), playlist);
  for (const [index, name] of names.entries()) {
    // 188-byte MPEG-TS packets: a sync byte, then filler that tells segments apart.
    const packet = Buffer.alloc(188, index % 256);
    packet[0] = 0x47;
    await writeFile(path.join(directory, name), Buffer.concat(Array.from({ length: 10 }, () => packet)));
  }
  await readableByWorkers(directory, root);
  return { playlist: `${base}/index.m3u8`, segments: names.map((name) => `${base}/${name}`), window };
}
