/**
 * How the service's connections behave when the server is not what it should be: read-only (a
 * standby reached by mistake), or not answering in time (a lock held, a synchronous standby away).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { composeService } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { LEDGER_LOCK_KEY } from '../../src/ledger-store/ledger-repository.js';
import { createLogger } from '../../src/observability/logger.js';
import { openPostgresDatabase } from '../../src/storage/database.js';
import { DatabaseTimeoutError } from '../../src/storage/pg-connections.js';
import { checkReadiness } from '../../src/storage/readiness.js';
import { openTestDatabase, serverUrl, withAdmin } from '../helpers/database.js';
import { startTestService } from '../helpers/service.js';

const skip =
  serverUrl() === undefined ? 'needs a PostgreSQL server (DATABASE_URL): the embedded database has no connections' : false;

/** `url` with `default_transaction_read_only` on for its sessions, as a hot standby answers. */
function readOnlyUrl(url: string): string {
  const readOnly = new URL(url);
  readOnly.searchParams.set('options', '-c default_transaction_read_only=on');
  return readOnly.toString();
}

t.test('a server that answers read-only is refused at connect, and readiness names why', { skip }, async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const handle = openPostgresDatabase({ url: readOnlyUrl(database.url as string) });
  t.teardown(() => handle.close());
  await t.rejects(
    handle.db.selectFrom('ledger_entries').select('seq').execute(),
    { name: 'DatabaseReadOnlyError', code: '25006' },
    'no statement is sent to it',
  );
  t.same(await checkReadiness(handle.db), {
    ready: false,
    reason: 'the database answers read-only: DATABASE_URL must reach the primary',
  });
  const reader = openPostgresDatabase({ url: readOnlyUrl(database.url as string), maxConnections: 1 });
  t.teardown(() => reader.close());
  t.equal(reader.standby, undefined, 'a handle has no standby unless one is named');
});

t.test('a service started on a read-only server does not start', { skip }, async (t) => {
  const database = await openTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-read-only-'));
  t.teardown(async () => {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: readOnlyUrl(database.url as string) });
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await t.rejects(composeService(config, createLogger('silent', quiet)), {
    cause: { name: 'DatabaseReadOnlyError' },
    message: /DATABASE_URL must reach the primary/,
  });
  const entries = await withAdmin(database.url as string, (client) =>
    client.query('SELECT count(*)::int AS n FROM ledger_entries'),
  );
  t.equal(entries.rows[0].n, 0, 'and wrote nothing');
});

t.test(
  'a running service whose server turns read-only answers 503 and recovers when it is the primary again',
  { skip },
  async (t) => {
    const test = await startTestService();
    t.teardown(() => test.close());
    const token = await test.token('admin', 'dev');
    const ask = () =>
      test.service.app.inject({ method: 'GET', url: '/v1/ledger/checkpoint', headers: { authorization: `Bearer ${token}` } });
    const url = test.database.url as string;
    const name = new URL(url).pathname.slice(1);
    const before = await test.entryCount();
    await withAdmin(url, async (client) => {
      await client.query(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
      // The server is replaced under the service: every open connection is cut.
      await client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
    });
    t.equal((await ask()).statusCode, 503, 'reads answer 503');
    const ready = await test.service.app.inject({ method: 'GET', url: '/readyz' });
    t.equal(ready.statusCode, 503);
    t.match(ready.json().detail, /read-only: DATABASE_URL must reach the primary/, `readiness names the cause: ${ready.body}`);
    const record = await test.service.writer
      .record({ kind: 'ledger.verified', actor: { unit: null, subject: null }, payload: { ok: true } })
      .then(
        () => 'recorded',
        (error: { code?: string }) => error.code,
      );
    t.equal(record, 'ledger-unavailable', 'an append is refused, not half-written');
    await withAdmin(url, async (client) => {
      await client.query('SET default_transaction_read_only = off');
      await client.query(`ALTER DATABASE ${name} RESET default_transaction_read_only`);
    });
    t.equal((await ask()).statusCode, 200, 'once the server is writable, the next connection serves');
    t.equal(await test.entryCount(), before, 'nothing was recorded while it was read-only');
  },
);

t.test('a query past its deadline closes its connection and fails; the pool serves the next one', { skip }, async (t) => {
  const database = await openTestDatabase({ queryTimeoutMs: 300, maxConnections: 1 });
  t.teardown(() => database.close());
  const started = Date.now();
  const { sql } = await import('kysely');
  const slow = await sql`SELECT pg_sleep(5)`.execute(database.handle.db).then(
    () => undefined,
    (error: unknown) => error,
  );
  t.type(slow, DatabaseTimeoutError, 'the query fails with the deadline');
  t.ok(Date.now() - started < 3_000, `after ${Date.now() - started} ms, not after the query's own 5 s`);
  const next = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.handle.db);
  t.same(next.rows, [{ one: 1 }], 'the only pooled connection was replaced');
});

t.test('an append whose write cannot finish in time is refused at the deadline; the log stays whole', { skip }, async (t) => {
  const test = await startTestService({ DATABASE_QUERY_TIMEOUT_MS: '500' });
  t.teardown(() => test.close());
  const token = await test.token('admin', 'dev');
  const record = () =>
    test.service.writer.record({ kind: 'ledger.verified', actor: { unit: null, subject: null }, payload: { ok: true } }).then(
      () => 'recorded',
      (error: { code?: string }) => error.code,
    );
  t.equal(await record(), 'recorded', 'the ledger is writable');
  const before = await test.entryCount();
  const { Client } = (await import('pg')).default;
  // An insider holds the ledger's lock, as a commit waiting for an absent synchronous standby does.
  const insider = new Client({ connectionString: test.database.url });
  await insider.connect();
  t.teardown(() => insider.end());
  await insider.query('SELECT pg_advisory_lock($1)', [LEDGER_LOCK_KEY]);
  const started = Date.now();
  const refused = await record();
  const waited = Date.now() - started;
  t.equal(refused, 'ledger-unavailable', 'the append is refused');
  t.ok(waited >= 450 && waited < 5_000, `after the deadline: ${waited} ms`);
  t.equal(await test.entryCount(), before, 'nothing of it is written while the lock is held');
  await insider.query('SELECT pg_advisory_unlock($1)', [LEDGER_LOCK_KEY]);
  t.equal(await record(), 'recorded', 'once the lock is free, the ledger is written again');
  // The refused append was never acknowledged; a write the server already held may still commit.
  const after = await test.entryCount();
  t.ok(after === before + 1 || after === before + 2, `${after - before} entries since`);
  const verified = await test.service.app.inject({
    method: 'POST',
    url: '/v1/ledger/verifications',
    headers: { authorization: `Bearer ${token}` },
    payload: {},
  });
  t.match(verified.body, /"ok":true/, `and the log verifies: ${verified.body}`);
});
