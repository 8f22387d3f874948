import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { decodeEntry } from '../../src/ledger/entry.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { LedgerAppender, LedgerUnavailableError } from '../../src/ledger-store/ledger-appender.js';
import { entryAt, LEDGER_LOCK_KEY, latestCheckpoint, treeSize } from '../../src/ledger-store/ledger-repository.js';
import { verifyStoredLedger } from '../../src/ledger-store/ledger-verification.js';
import { openTestDatabase, serverUrl } from '../helpers/database.js';
import { appendEvents, ORIGIN, testLedger } from '../helpers/ledger.js';

t.test('concurrent appends batch into one linear, verifiable log that starts with its key', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const { db } = database.handle;
  const ledger = testLedger(db);
  // Three turns of the event loop: three batches, the later ones encoded while the earlier commit.
  const first = appendEvents(ledger.appender, 100);
  await new Promise((resolve) => setImmediate(resolve));
  const second = appendEvents(ledger.appender, 100);
  await new Promise((resolve) => setImmediate(resolve));
  const third = appendEvents(ledger.appender, 100);
  const receipts = (await Promise.all([first, second, third])).flat();
  const seqs = receipts.map((receipt) => receipt.seq).sort((a, b) => a - b);
  t.same(
    seqs,
    Array.from({ length: 300 }, (_, i) => i + 1),
    'seq 0 is the key.rotated genesis; appends follow without gaps',
  );
  t.ok(
    receipts.every((receipt) => receipt.treeSize > receipt.seq),
    'each receipt names a tree that contains it',
  );
  const genesis = decodeEntry((await entryAt(db, 0))?.canonical as Buffer);
  t.match(genesis, { kind: 'key.rotated', payload: { key: ledger.verifierKey.text, previous: null } });
  t.equal(await treeSize(db), 301);
  t.equal((await latestCheckpoint(db))?.treeSize, 301);
  const result = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [ledger.verifierKey] });
  t.match(result, { ok: true, treeSize: 301, entriesChecked: 301, firstFailure: null });
  t.equal(result.checkpointsChecked, 3, 'three batches, one checkpoint each');
});

t.test('a new signing key is recorded by a key.rotated entry naming the previous key', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const { db } = database.handle;
  const first = testLedger(db);
  await appendEvents(first.appender, 3);
  const second = testLedger(db);
  await appendEvents(second.appender, 3);
  const rotation = decodeEntry((await entryAt(db, 4))?.canonical as Buffer);
  t.match(rotation, { kind: 'key.rotated', payload: { key: second.verifierKey.text, previous: first.verifierKey.text } });
  const both = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [first.verifierKey, second.verifierKey] });
  t.equal(both.ok, true);
  const onlyNew = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [second.verifierKey] });
  t.match(onlyNew.firstFailure, { check: 'checkpoint-key', actual: first.verifierKey.text }, 'the untrusted key is named');
  t.ok((onlyNew.firstFailure?.seq ?? 99) <= 3, 'at the first checkpoint it signed');
});

t.test('a failing effect rejects only its own append and leaves no trace of it', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const { db } = database.handle;
  await sql`CREATE TABLE probe (id text PRIMARY KEY)`.execute(db);
  const ledger = testLedger(db);
  const write = (id: string) =>
    ledger.appender.append({
      draft: { kind: 'registry.changed', actor: { unit: 'u', subject: 's' }, payload: { id } },
      effect: async (trx) => {
        await sql`INSERT INTO probe (id) VALUES (${id})`.execute(trx);
      },
    });
  const results = await Promise.allSettled([write('a'), write('a'), write('b')]);
  t.same(
    results.map((result) => result.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  const rows = await sql<{ id: string }>`SELECT id FROM probe ORDER BY id`.execute(db);
  t.same(
    rows.rows.map((row) => row.id),
    ['a', 'b'],
  );
  t.equal(await treeSize(db), 3, 'genesis and two entries; the failed one took no seq');
  t.equal((await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [ledger.verifierKey] })).ok, true);
});

t.test('a batch that cannot commit rejects every append in it with LedgerUnavailableError', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close().catch(() => undefined));
  const { db } = database.handle;
  const ledger = testLedger(db);
  await appendEvents(ledger.appender, 2);
  await db.destroy();
  const results = await Promise.allSettled([appendEvents(ledger.appender, 1), appendEvents(ledger.appender, 1)]);
  for (const result of results) {
    t.equal(result.status, 'rejected');
    t.type((result as PromiseRejectedResult).reason, LedgerUnavailableError);
  }
});

t.test(
  'the database refuses UPDATE, DELETE and TRUNCATE on the ledger, and the service role may only read and insert',
  async (t) => {
    const database = await openTestDatabase();
    t.teardown(() => database.close());
    const { db } = database.handle;
    await appendEvents(testLedger(db).appender, 20); // enough for a stored tree node (level 4, 16 leaves)
    const updates = {
      ledger_entries: sql`UPDATE ledger_entries SET kind = 'x'`,
      ledger_nodes: sql`UPDATE ledger_nodes SET hash = ${Buffer.alloc(32)}`,
      ledger_checkpoints: sql`UPDATE ledger_checkpoints SET note = 'x'`,
    };
    for (const [table, update] of Object.entries(updates)) {
      await t.rejects(update.execute(db), /append-only/, `UPDATE ${table}`);
      await t.rejects(sql`DELETE FROM ${sql.table(table)}`.execute(db), /append-only/, `DELETE ${table}`);
      await t.rejects(sql`TRUNCATE ${sql.table(table)}`.execute(db), /append-only/, `TRUNCATE ${table}`);
    }
    await t.rejects(
      db.connection().execute(async (connection) => {
        await sql`SET ROLE footage_warden_service`.execute(connection);
        try {
          await sql`ALTER TABLE ledger_entries DISABLE TRIGGER ALL`.execute(connection);
        } finally {
          await sql`RESET ROLE`.execute(connection);
        }
      }),
      /owner|permission denied/,
      'the service role cannot switch the triggers off',
    );
    const privileges = await sql<{ privilege_type: string }>`
    SELECT privilege_type FROM information_schema.role_table_grants
    WHERE grantee = 'footage_warden_service' AND table_name = 'ledger_entries' ORDER BY privilege_type`.execute(db);
    t.same(
      privileges.rows.map((row) => row.privilege_type),
      ['INSERT', 'SELECT'],
    );
  },
);

t.test('recordKey writes the key.rotated entry and its checkpoint once per key, whoever asks', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const { db } = database.handle;
  const ledger = testLedger(db);
  await ledger.appender.recordKey();
  await ledger.appender.recordKey();
  const twin = new LedgerAppender({ db, origin: ORIGIN, signingKey: ledger.key });
  await twin.recordKey();
  t.equal(await treeSize(db), 1, 'one key.rotated entry');
  t.equal((await latestCheckpoint(db))?.treeSize, 1, 'and its checkpoint');
  const rotated = testLedger(db);
  await rotated.appender.recordKey();
  t.equal(await treeSize(db), 2, 'a new key adds its own entry');
  t.equal((await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [ledger.verifierKey, rotated.verifierKey] })).ok, true);
});

t.test(
  'appends that arrive while a batch is being written join the batch waiting behind it',
  { skip: serverUrl() === undefined ? 'needs DATABASE_URL: holding the ledger lock takes a second session' : false },
  async (t) => {
    const database = await openTestDatabase();
    t.teardown(() => database.close());
    const { db } = database.handle;
    const sizes: number[] = [];
    const key = generateKeyPairSync('ed25519').privateKey;
    const appender = new LedgerAppender({
      db,
      origin: ORIGIN,
      signingKey: key,
      observer: { batchCommitted: (size) => sizes.push(size) },
    });
    await appender.recordKey();
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    t.teardown(() => holder.end());
    // The first batch blocks on the ledger's lock, so the second waits for it while appends arrive.
    await holder.query('SELECT pg_advisory_lock($1)', [LEDGER_LOCK_KEY]);
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const receipts = [appendEvents(appender, 1, 'first')];
    await turn();
    for (const prefix of ['second', 'third', 'fourth']) {
      receipts.push(appendEvents(appender, 2, prefix));
      await turn();
      await turn();
    }
    await holder.query('SELECT pg_advisory_unlock($1)', [LEDGER_LOCK_KEY]);
    const seqs = (await Promise.all(receipts))
      .flat()
      .map((receipt) => receipt.seq)
      .sort((a, b) => a - b);
    t.same(seqs, [1, 2, 3, 4, 5, 6, 7]);
    t.same(sizes.slice(-2), [1, 6], 'the three later turns went into one batch');
    const result = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [verifierKeyFor(ORIGIN, key)] });
    t.equal(result.ok, true);
  },
);
