/**
 * Several writers on one database make one linear log, and a writer killed with SIGKILL under load
 * loses no entry it acknowledged. Separate processes need a real server (DATABASE_URL); on the
 * embedded database the writers are two appenders in this process.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { LedgerAppender } from '../../src/ledger-store/ledger-appender.js';
import { entryAt, treeSize } from '../../src/ledger-store/ledger-repository.js';
import { verifyStoredLedger } from '../../src/ledger-store/ledger-verification.js';
import { openTestDatabase, serverUrl } from '../helpers/database.js';
import { appendEvents, ORIGIN } from '../helpers/ledger.js';

const WORKER = path.resolve('test/fixtures/append-worker.ts');
const key = generateKeyPairSync('ed25519').privateKey;
const verifierKey = verifierKeyFor(ORIGIN, key);

async function keyFile(): Promise<{ file: string; cleanup: () => Promise<void> }> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-worker-'));
  const file = path.join(directory, 'key.pem');
  await writeFile(file, key.export({ format: 'pem', type: 'pkcs8' }).toString(), { mode: 0o600 });
  return { file, cleanup: () => rm(directory, { recursive: true, force: true }) };
}

function worker(url: string, file: string, count: number) {
  const child = spawn(process.execPath, [...process.execArgv, WORKER], {
    env: { ...process.env, DATABASE_URL: url, KEY_FILE: file, ORIGIN, COUNT: String(count), CONCURRENCY: '25' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acks = new Map<number, string>();
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const [, seq, leaf] = line.split(' ');
      acks.set(Number(seq), leaf as string);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, acks, exited };
}

t.test('two writers on one database give one valid log', async (t) => {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const { db } = database.handle;
  if (database.url === undefined) {
    const first = new LedgerAppender({ db, origin: ORIGIN, signingKey: key });
    const second = new LedgerAppender({ db, origin: ORIGIN, signingKey: key });
    await Promise.all([appendEvents(first, 150, 'a'), appendEvents(second, 150, 'b')]);
  } else {
    const { file, cleanup } = await keyFile();
    t.teardown(cleanup);
    const writers = [worker(database.url, file, 300), worker(database.url, file, 300)];
    const codes = await Promise.all(writers.map((writer) => writer.exited));
    t.same(codes, [0, 0]);
    const seqs = writers.flatMap((writer) => [...writer.acks.keys()]);
    t.equal(new Set(seqs).size, 600, 'no seq acknowledged twice');
  }
  const size = await treeSize(db);
  t.ok(size === 301 || size === 601, `one log of every append (${size})`);
  const result = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [verifierKey] });
  t.match(result, { ok: true, treeSize: size, firstFailure: null });
});

t.test(
  'a writer killed with SIGKILL under load loses no acknowledged entry',
  {
    skip: serverUrl() === undefined ? 'needs DATABASE_URL: the embedded database does not fsync and lives in one process' : false,
  },
  async (t) => {
    const database = await openTestDatabase();
    t.teardown(() => database.close());
    const { db } = database.handle;
    const { file, cleanup } = await keyFile();
    t.teardown(cleanup);
    const writer = worker(database.url as string, file, 100_000);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (writer.acks.size >= 500) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    writer.child.kill('SIGKILL');
    await writer.exited;
    const acknowledged = new Map(writer.acks);
    t.ok(acknowledged.size >= 500, `${acknowledged.size} entries were acknowledged before the kill`);
    let lost = 0;
    for (const [seq, leaf] of acknowledged) {
      const row = await entryAt(db, seq);
      if (row === undefined || row.leafHash.toString('hex') !== leaf) lost += 1;
    }
    t.equal(lost, 0, 'every acknowledged entry is stored with the acknowledged hash');
    const result = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [verifierKey] });
    t.equal(result.ok, true, 'the log verifies after the kill');
  },
);
