/**
 * Audit reads through `StandbyReads`, on one server standing in for a standby that is never behind
 * (a real standby, behind and caught up, is in test/cluster/cluster.test.ts).
 */
import { sql } from 'kysely';
import t, { type Test } from 'tap';
import { openPostgresDatabase } from '../../src/storage/database.js';
import { type ReadSource, StandbyReads, standbyLagBytes } from '../../src/storage/standby-reads.js';
import { openTestDatabase, serverUrl } from '../helpers/database.js';
import { startTestService } from '../helpers/service.js';

const skip = serverUrl() === undefined ? 'needs a PostgreSQL server (DATABASE_URL): the embedded database has no standby' : false;

function recorder() {
  const served: ReadSource[] = [];
  return { served, observer: { served: (source: ReadSource) => served.push(source) } };
}

/** Reads whose standby is a second pool of one connection on the same database. */
async function readsOnSelf(t: Test) {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const standby = openPostgresDatabase({ url: database.url as string, maxConnections: 1 });
  t.teardown(() => standby.close());
  const { served, observer } = recorder();
  const reads = new StandbyReads({ primary: database.handle.db, standby: standby.db, waitMs: 100, observer });
  return { database, standby, served, reads };
}

t.test('without a standby, reads run on the primary and nothing is counted', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const { served, observer } = recorder();
  const reads = new StandbyReads({ primary: database.handle.db, standby: undefined, waitMs: 100, observer });
  t.equal(reads.enabled, false);
  const rows = await reads.read((db) => sql<{ one: number }>`SELECT 1 AS one`.execute(db));
  t.same(rows.rows, [{ one: 1 }]);
  t.same(served, []);
});

t.test('a standby that holds what the primary held serves the read, on one connection', { skip }, async (t) => {
  const { database, standby, served, reads } = await readsOnSelf(t);
  const pids = await reads.read(async (db) => {
    const first = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
    const second = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db);
    return [first.rows[0]?.pid, second.rows[0]?.pid];
  });
  t.equal(pids[0], pids[1], 'every query of one read uses one connection');
  t.same(served, ['standby']);
  const streamed: number[] = [];
  for await (const value of reads.stream(async function* (db) {
    for (const n of [1, 2, 3]) yield (await sql<{ n: number }>`SELECT ${n}::int AS n`.execute(db)).rows[0]?.n as number;
  })) {
    streamed.push(value);
  }
  t.same(streamed, [1, 2, 3], 'a stream reads on the standby connection it holds');
  t.same(served, ['standby', 'standby']);
  const again = await reads.read((db) => sql<{ one: number }>`SELECT 1 AS one`.execute(db));
  t.same(again.rows, [{ one: 1 }], 'the connection held by the stream was released');
  t.equal(await standbyLagBytes(database.handle.db, standby.db), 0, 'a server not in recovery has no lag');
});

t.test('a standby that cannot be reached is passed over: the primary serves', { skip }, async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const nowhere = new URL(database.url as string);
  nowhere.port = '1';
  const standby = openPostgresDatabase({ url: nowhere.toString(), maxConnections: 1 });
  t.teardown(() => standby.close());
  const { served, observer } = recorder();
  const reads = new StandbyReads({ primary: database.handle.db, standby: standby.db, waitMs: 100, observer });
  const rows = await reads.read((db) => sql<{ one: number }>`SELECT 1 AS one`.execute(db));
  t.same(rows.rows, [{ one: 1 }]);
  t.same(served, ['primary']);
});

t.test('an error of the read itself is not retried on the primary', { skip }, async (t) => {
  const { served, reads } = await readsOnSelf(t);
  let runs = 0;
  await t.rejects(
    reads.read(async () => {
      runs += 1;
      throw new Error('not found');
    }),
    { message: 'not found' },
  );
  t.equal(runs, 1, 'the work ran once');
  t.same(served, ['standby']);
});

t.test('every audit route reads through the standby; decisions and writes stay on the primary', { skip }, async (t) => {
  const test = await startTestService({}, { readFromSelf: true });
  t.teardown(() => test.close());
  const admin = { authorization: `Bearer ${await test.token('admin', 'dev')}` };
  const metrics = async () => (await test.service.app.inject({ method: 'GET', url: '/metrics', headers: admin })).body;
  const standbyReads = async () =>
    Number(/footage_warden_audit_reads_total\{served_by="standby"\} (\d+)/.exec(await metrics())?.[1] ?? 0);
  const before = await standbyReads();
  const size = await test.entryCount();
  const routes = [
    '/v1/ledger/entries?limit=5',
    '/v1/ledger/entries/0',
    '/v1/ledger/entries/0/receipt',
    `/v1/ledger/proofs/inclusion?seq=0&tree_size=${size}`,
    `/v1/ledger/proofs/consistency?from=1&to=${size}`,
    '/v1/ledger/export',
    '/v1/compliance/report',
  ];
  for (const url of routes) {
    const answer = await test.service.app.inject({ method: 'GET', url, headers: admin });
    t.equal(answer.statusCode, 200, `${url}: ${answer.statusCode}`);
  }
  const verified = await test.service.app.inject({
    method: 'POST',
    url: '/v1/ledger/verifications',
    headers: admin,
    payload: {},
  });
  t.match(verified.body, /"ok":true/, 'a verification read from the standby holds');
  t.equal(await standbyReads(), before + routes.length + 1, 'each of them was served by the standby');
  t.match(await metrics(), /footage_warden_standby_replay_lag_bytes 0/, 'the lag is exported');
  t.ok((await test.entryCount()) > size, 'the report and the verification were recorded on the primary');
});
