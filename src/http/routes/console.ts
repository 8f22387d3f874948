/**
 * The auditor's console at /console: a static page, its stylesheet and its compiled modules
 * (console/, built into dist/console by `npm run build`), read once at start and served with a
 * strict content security policy — no inline script, nothing from another origin. The page needs
 * no token; everything it shows comes from the API with the token the user signs in with.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { packagePath } from '../../package-root.js';
import { ProblemError } from '../problem.js';

export const CONSOLE_PAGE = packagePath('console', 'index.html');
export const CONSOLE_STYLES = packagePath('console', 'console.css');
export const CONSOLE_SCRIPTS = packagePath('dist', 'console');
/** SM2 and SM3 for the browser (Web Crypto has neither): loaded by the console for `shangmi` logs only. */
export const SM_LIBRARY = packagePath('node_modules', 'sm-crypto-v2', 'dist', 'index.umd.js');

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob: data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

async function scripts(directory: string, prefix = ''): Promise<[string, Asset][]> {
  const found: [string, Asset][] = [];
  for (const item of await readdir(directory, { withFileTypes: true })) {
    const name = `${prefix}${item.name}`;
    if (item.isDirectory()) found.push(...(await scripts(path.join(directory, item.name), `${name}/`)));
    else if (item.name.endsWith('.js')) {
      found.push([name, { type: 'text/javascript; charset=utf-8', body: await readFile(path.join(directory, item.name)) }]);
    }
  }
  return found;
}

/** The console's files by the name they are requested under; undefined when it was not built. */
export async function loadConsoleAssets(): Promise<{ page: Asset; assets: Map<string, Asset> } | undefined> {
  let compiled: [string, Asset][];
  try {
    compiled = await scripts(CONSOLE_SCRIPTS);
  } catch {
    return undefined;
  }
  if (!compiled.some(([name]) => name === 'main.js')) return undefined;
  const page = { type: 'text/html; charset=utf-8', body: await readFile(CONSOLE_PAGE) };
  const styles = { type: 'text/css; charset=utf-8', body: await readFile(CONSOLE_STYLES) };
  const library = { type: 'text/javascript; charset=utf-8', body: await readFile(SM_LIBRARY) };
  return { page, assets: new Map([...compiled, ['console.css', styles], ['vendor/sm-crypto-v2.js', library]]) };
}

function send(reply: FastifyReply, asset: Asset): FastifyReply {
  return reply.headers(SECURITY_HEADERS).type(asset.type).send(asset.body);
}

export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  const files = await loadConsoleAssets();
  if (files === undefined) app.log.warn('the console is not built (npm run build); /console answers 503');
  const built = () => {
    if (files === undefined) throw new ProblemError('unavailable', 'the console is not built: run npm run build');
    return files;
  };
  app.get('/console', { config: { public: true } }, async (_request, reply) => send(reply, built().page));
  app.get<{ Params: { '*': string } }>('/console/assets/*', { config: { public: true } }, async (request, reply) => {
    const asset = built().assets.get(request.params['*']);
    if (asset === undefined) throw new ProblemError('not-found', 'no such console asset');
    return send(reply, asset);
  });
}
