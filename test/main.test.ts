import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openTestDatabase } from './helpers/database.js';

const MAIN = path.resolve('src/main.ts');

function run(env: Record<string, string>): ChildProcess {
  const { DATABASE_URL: _, NODE_ENV: __, ...inherited } = process.env;
  return spawn(process.execPath, [...process.execArgv, MAIN], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

t.test('a bad variable stops the process with exit code 2 and one line naming it', async (t) => {
  const badPort = await exited(run({ PORT: 'eighty' }));
  t.equal(badPort.code, 2);
  t.match(badPort.stderr, /^footage-warden: PORT: expected a whole number, got "eighty"\n$/);
  const production = await exited(run({ NODE_ENV: 'production' }));
  t.equal(production.code, 2);
  t.match(production.stderr, /^footage-warden: DATABASE_URL: production needs a PostgreSQL server[^\n]*\n$/);
});

t.test('production stops with exit code 2 when the signing key file cannot be read', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const url = database.url ?? 'postgres://127.0.0.1:1/none';
  const result = await exited(
    run({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      LEDGER_SIGNING_KEY_FILE: '/nonexistent/ledger.pem',
      PERSONAL_DATA_KEY_FILE: '/nonexistent/personal-data-key',
      PLAYBACK_TOKEN_KEY_FILE: '/nonexistent/playback-token.pem',
      JWT_JWKS_URL: 'https://idp.example/jwks.json',
      JWT_ISSUER: 'https://idp.example',
      JWT_AUDIENCE: 'footage-warden',
      MIGRATE_ON_START: 'false',
      PORT: '0',
    }),
  );
  t.equal(result.code, 2);
  t.match(result.stderr, /ledger\.pem: cannot read the ledger signing key/);
});

t.test('the service starts, prints a working token, and closes cleanly on SIGTERM', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-main-'));
  const database = await openTestDatabase();
  t.teardown(async () => {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const child = run({ PORT: '0', DATA_DIR: dataDir, ...(database.url === undefined ? {} : { DATABASE_URL: database.url }) });
  const result = exited(child);
  let output = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/[^;\s]+)/.exec(output);
      if (match && output.includes('export TOKEN=')) resolve(match[1] as string);
    });
    child.on('exit', () => reject(new Error(`exited early: ${output}`)));
  });
  const token = /export TOKEN=(\S+)/.exec(output)?.[1];
  t.equal((await fetch(`${address}/readyz`)).status, 200);
  const me = await fetch(`${address}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  t.equal(me.status, 200);
  t.match(await me.json(), { subject: 'admin', unit: 'dev' });
  child.kill('SIGTERM');
  const { code, stdout } = await result;
  t.equal(code, 0, 'exit code 0 after a graceful close');
  t.match(stdout, /"msg":"closed"/);
});
