/**
 * The insider attacks of the ledger's threat model against a running appender and a restarted one:
 * the tail cut off, or the history rewritten from an entry with every later hash and node
 * recomputed, each with and without the checkpoints that name the changed entries. The appender
 * must refuse to sign, say why, and record nothing more.
 */
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import type { IntegrityFinding } from '../../src/ledger/history-guard.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { LedgerAppender } from '../../src/ledger-store/ledger-appender.js';
import { LedgerIntegrity, LedgerIntegrityError } from '../../src/ledger-store/ledger-integrity.js';
import { latestCheckpoint } from '../../src/ledger-store/ledger-repository.js';
import { openTestDatabase } from '../helpers/database.js';
import { entryCount, rewriteFrom, truncateTo } from '../helpers/insider.js';
import { appendEvents, ORIGIN } from '../helpers/ledger.js';

async function guardedLedger(t: { teardown(fn: () => unknown): void }) {
  const database = await openTestDatabase();
  t.teardown(() => database.close());
  const key = generateKeyPairSync('ed25519').privateKey;
  const open = () => {
    const alarms: IntegrityFinding[] = [];
    const integrity = new LedgerIntegrity({
      origin: ORIGIN,
      trustedKeys: [verifierKeyFor(ORIGIN, key)],
      onHalt: (finding) => alarms.push(finding),
    });
    const appender = new LedgerAppender({ db: database.handle.db, origin: ORIGIN, signingKey: key, integrity });
    return { appender, integrity, alarms };
  };
  const first = open();
  // Several batches, so that checkpoints of many sizes are stored.
  for (let round = 0; round < 4; round += 1) await appendEvents(first.appender, 10);
  return { db: database.handle.db, first, open };
}

async function refused(t: Tap, appender: LedgerAppender): Promise<IntegrityFinding | undefined> {
  try {
    await appender.append({
      draft: { kind: 'playback.started', actor: { unit: 'district-7', subject: 'op' }, payload: { camera_id: 'c' } },
    });
  } catch (error) {
    if (error instanceof LedgerIntegrityError) return error.finding;
    t.fail(`another error: ${(error as Error).message}`);
    return undefined;
  }
  t.fail('the append was accepted');
  return undefined;
}

type Tap = { fail(message: string): void };

const ATTACKS = [
  {
    name: 'the tail cut off with its checkpoints',
    attack: (db: never) => truncateTo(db, 27, true),
    running: ['log-shrank', 'signed'],
  },
  {
    name: 'the tail cut off, checkpoints kept',
    attack: (db: never) => truncateTo(db, 27, false),
    running: ['log-shrank', 'stored'],
  },
  {
    name: 'an entry rewritten and everything after it recomputed, with its checkpoints dropped',
    attack: (db: never) => rewriteFrom(db, 12, 35, true),
    running: ['inconsistent', 'signed'],
  },
  {
    name: 'an entry rewritten and everything after it recomputed, checkpoints kept',
    attack: (db: never) => rewriteFrom(db, 12, 35, false),
    running: ['inconsistent', 'stored'],
  },
  {
    name: 'an entry rewritten into a log of the same size',
    attack: (db: never) => rewriteFrom(db, 40, 1, true),
    running: ['root-changed', 'signed'],
  },
] as const;

for (const { name, attack, running } of ATTACKS) {
  t.test(`a running appender refuses to sign over ${name}`, async (t) => {
    const { db, first } = await guardedLedger(t);
    const before = await latestCheckpoint(db);
    await attack(db as never);
    const size = await entryCount(db);
    const finding = await refused(t, first.appender);
    t.same([finding?.check, finding?.reference], running, finding?.detail ?? 'no finding');
    t.equal(first.alarms.length, 1, 'one alarm');
    t.same(first.integrity.halted, finding, 'the ledger is halted');
    t.equal((await refused(t, first.appender))?.check, running[0], 'and stays halted');
    t.equal(await entryCount(db), size, 'nothing more was recorded');
    const after = await latestCheckpoint(db);
    t.ok((after?.treeSize ?? 0) <= (before?.treeSize ?? 0), 'no checkpoint was signed after the attack');
    await first.appender.close();
  });
}

t.test('a restarted appender refuses a log that contradicts its stored checkpoints', async (t) => {
  for (const attack of [(db: never) => truncateTo(db, 27, false), (db: never) => rewriteFrom(db, 12, 35, false)]) {
    const { db, first, open } = await guardedLedger(t);
    await first.appender.close();
    await attack(db as never);
    const restarted = open();
    await restarted.appender.recordKey();
    t.ok(restarted.integrity.halted, restarted.integrity.halted?.detail ?? 'not halted');
    t.equal(restarted.integrity.halted?.reference, 'stored');
    await refused(t, restarted.appender);
    await restarted.appender.close();
  }
});

t.test('a head another writer moved on is a consistent extension', async (t) => {
  const { first, open } = await guardedLedger(t);
  const other = open();
  await appendEvents(other.appender, 25);
  const receipts = await appendEvents(first.appender, 5);
  t.equal(receipts.length, 5);
  t.equal(first.integrity.halted, undefined);
  t.equal(other.integrity.halted, undefined);
  await other.appender.close();
  await first.appender.close();
});
