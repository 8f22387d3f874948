import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import t from 'tap';
import { leafHash } from '../../src/ledger/hashes.js';
import { packEntries, packSealed } from '../../src/ledger-store/batch-packing.js';
import { LedgerAppender } from '../../src/ledger-store/ledger-appender.js';
import type { EntryRow, NodeRow } from '../../src/ledger-store/ledger-repository.js';
import type { SealedRow } from '../../src/ledger-store/vault.js';
import { openTestDatabase } from '../helpers/database.js';
import { ORIGIN } from '../helpers/ledger.js';

const TIME = '2026-11-29T08:00:00.000Z';

function entry(seq: number, canonical: string, columns: Partial<EntryRow> = {}): EntryRow {
  const bytes = Buffer.from(canonical, 'utf8');
  return {
    seq,
    time: TIME,
    kind: 'playback.started',
    unit: 'district-7',
    subject: 'op-1',
    camera: null,
    ref: null,
    canonical: bytes,
    leafHash: leafHash(bytes),
    ...columns,
  };
}

t.test('a batch packs each column of bytes into one buffer and the other columns into JSON rows', async (t) => {
  const entries = [entry(5, '{"a":1}', { camera: 'cam-1' }), entry(6, '{"bb":22}', { unit: null, subject: null, ref: 'r-6' })];
  const sealed: SealedRow[] = [
    { seq: 6, pointer: '/payload/reason', subject_id: 'op-1', nonce: Buffer.alloc(12, 1), ciphertext: Buffer.from('xyz') },
  ];
  const nodes: NodeRow[] = [{ level: 4, idx: 0, hash: Buffer.alloc(32, 7) }];
  const packed = { ...packEntries(5, entries, nodes), ...packSealed(sealed) };
  t.equal(packed.time, TIME);
  t.same(JSON.parse(packed.entryRows), [
    ['playback.started', 'district-7', 'op-1', 'cam-1', null, 7],
    ['playback.started', null, null, null, 'r-6', 9],
  ]);
  t.equal(packed.canonical.toString('utf8'), '{"a":1}{"bb":22}');
  t.same(packed.leaves, Buffer.concat([entries[0]?.leafHash as Buffer, entries[1]?.leafHash as Buffer]));
  t.same(JSON.parse(packed.sealedRows), [[6, '/payload/reason', 'op-1', 3]]);
  t.same(packed.nonces, Buffer.alloc(12, 1));
  t.equal(packed.ciphertexts.toString(), 'xyz');
  t.same(JSON.parse(packed.nodeRows), [[4, 0]]);
  t.same(packed.hashes, Buffer.alloc(32, 7));
});

t.test('packing refuses rows a batch builder cannot make', async (t) => {
  t.throws(() => packEntries(5, [entry(5, '{}'), entry(7, '{}')], []), /entry 1 of the batch has seq 7, not 6/);
  t.throws(() => packEntries(5, [entry(5, '{}'), entry(6, '{}', { time: '2026-11-29T08:00:01.000Z' })], []), /one time/);
  t.throws(() => packEntries(5, [entry(5, '{}', { leafHash: Buffer.alloc(31) })], []), /a leaf hash must be 32 bytes/);
  const nonce = { seq: 5, pointer: '/p', subject_id: 's', nonce: Buffer.alloc(11), ciphertext: Buffer.alloc(1) };
  t.throws(() => packSealed([nonce]), /a nonce must be 12 bytes/);
  t.throws(() => packEntries(5, [entry(5, '{}')], [{ level: 4, idx: 0, hash: Buffer.alloc(1) }]), /a node hash/);
});

t.test('the database stores each packed entry with its own columns and bytes', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const { db } = database.handle;
  const paths: string[] = [];
  const appender = new LedgerAppender({
    db,
    origin: ORIGIN,
    signingKey: generateKeyPairSync('ed25519').privateKey,
    observer: { batchCommitted: (_size, _waited, path) => paths.push(path) },
  });
  await appender.recordKey();
  const drafts = [
    { kind: 'playback.started', actor: { unit: 'district-7', subject: 'op-1' }, payload: { camera_id: 'cam-1' } },
    { kind: 'policy.changed', actor: { unit: null, subject: null }, payload: { note: 'ü'.repeat(300) } },
    { kind: 'playback.stopped', actor: { unit: 'district-8', subject: 'op-2' }, payload: { camera_id: 7 } },
  ];
  const receipts = await Promise.all(drafts.map((draft, i) => appender.append({ draft, ref: `ref-${i}` })));
  const rows = await sql<{ seq: string; kind: string; unit: string | null; subject: string | null; camera: string | null }>`
    SELECT seq, kind, unit, subject, camera, ref, canonical, leaf_hash FROM ledger_entries WHERE seq > 0 ORDER BY seq`.execute(
    db,
  );
  t.same(
    rows.rows.map(({ seq, kind, unit, subject, camera }) => ({ seq: Number(seq), kind, unit, subject, camera })),
    [
      { seq: receipts[0]?.seq, kind: 'playback.started', unit: 'district-7', subject: 'op-1', camera: 'cam-1' },
      { seq: receipts[1]?.seq, kind: 'policy.changed', unit: null, subject: null, camera: null },
      { seq: receipts[2]?.seq, kind: 'playback.stopped', unit: 'district-8', subject: 'op-2', camera: null },
    ],
  );
  for (const row of rows.rows as unknown as { ref: string; canonical: Buffer; leaf_hash: Buffer }[]) {
    t.same(row.leaf_hash, leafHash(row.canonical), 'each leaf hash is the hash of its own bytes');
  }
  t.same(
    rows.rows.map((row) => (row as unknown as { ref: string }).ref),
    ['ref-0', 'ref-1', 'ref-2'],
  );
  t.same(paths.slice(-1), ['predicted'], 'the batch went through ledger_append_packed');
});

t.test('ledger_append_packed refuses rows that do not match the packed bytes, and writes nothing', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const { db } = database.handle;
  const call = (rows: string, canonical: Buffer, leaves: Buffer) =>
    sql`SELECT ledger_append_packed(1, 0, NULL, NULL, ${TIME}::timestamptz, ${rows}::jsonb, ${canonical}::bytea,
      ${leaves}::bytea, '[]'::jsonb, ''::bytea, ''::bytea, '[]'::jsonb, ''::bytea, 1, ${Buffer.alloc(32)}, 'k', 'note')`.execute(
      db,
    );
  const row = JSON.stringify([['playback.started', null, null, null, null, 2]]);
  await t.rejects(call(row, Buffer.from('{}x'), Buffer.alloc(32)), /do not match the packed bytes/, 'a length too short');
  await t.rejects(call(row, Buffer.from('{}'), Buffer.alloc(31)), /do not match the packed bytes/, 'a leaf too short');
  const count = await sql<{ n: string }>`SELECT count(*) AS n FROM ledger_entries`.execute(db);
  t.equal(Number(count.rows[0]?.n), 0);
});
