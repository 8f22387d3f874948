/**
 * Tampering done directly in SQL by a superuser with the triggers disabled: each change is detected
 * and located (first bad seq) by both the stored-log verification and the offline verifier.
 */

import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { type Kysely, sql } from 'kysely';
import t from 'tap';
import { openCheckpoint } from '../../src/ledger/checkpoint.js';
import type { Check } from '../../src/ledger/verifier.js';
import { verifyExportLines } from '../../src/ledger/verify-export.js';
import { LeafDecoderPool } from '../../src/ledger-store/leaf-decoder-pool.js';
import { exportLines, exportRange } from '../../src/ledger-store/ledger-export.js';
import { latestCheckpoint } from '../../src/ledger-store/ledger-repository.js';
import { verifyStoredLedger } from '../../src/ledger-store/ledger-verification.js';
import type { Database } from '../../src/storage/schema.js';
import { openTestDatabase } from '../helpers/database.js';
import { asSuperuser } from '../helpers/insider.js';
import { appendEvents, ORIGIN, type TestLedger, testLedger } from '../helpers/ledger.js';

const SIZE = 40;

async function verifyExport(db: Kysely<Database>, ledger: TestLedger, trustedNote?: string) {
  const range = await exportRange(db, 0, undefined);
  let text = '';
  for await (const chunk of exportLines(db, ORIGIN, range)) text += chunk;
  const lines = createInterface({ input: Readable.from([text]) });
  const trusted = trustedNote === undefined ? undefined : openCheckpoint(trustedNote, ORIGIN, [ledger.verifierKey]);
  return verifyExportLines(lines, { keys: [ledger.verifierKey], ...(trusted === undefined ? {} : { trusted }) });
}

interface Case {
  readonly name: string;
  readonly tamper: (db: Kysely<Database>, ledger: TestLedger) => Promise<void>;
  readonly stored: { seq: number; check: Check };
  readonly exported: { seq: number; check: Check };
  /** The offline verifier needs the auditor's earlier checkpoint to see this one. */
  readonly withTrustedCheckpoint?: boolean;
}

const CASES: Case[] = [
  {
    name: 'a changed payload byte',
    tamper: (db) =>
      asSuperuser(db, [
        sql`UPDATE ledger_entries SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), 'playback.started', 'playback.startex'), 'UTF8') WHERE seq = 18`,
      ]),
    stored: { seq: 18, check: 'leaf-hash' },
    exported: { seq: 18, check: 'chain' },
  },
  {
    name: 'a changed payload byte with its leaf hash recomputed',
    tamper: (db) =>
      asSuperuser(db, [
        sql`UPDATE ledger_entries SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), 'playback.started', 'playback.startex'), 'UTF8') WHERE seq = 18`,
        sql`UPDATE ledger_entries SET leaf_hash = sha256('\\x00'::bytea || canonical) WHERE seq = 18`,
      ]),
    stored: { seq: 18, check: 'chain' },
    exported: { seq: 18, check: 'chain' },
  },
  {
    name: 'a deleted entry',
    tamper: (db) => asSuperuser(db, [sql`DELETE FROM ledger_entries WHERE seq = 12`]),
    stored: { seq: 12, check: 'missing-entry' },
    exported: { seq: 12, check: 'missing-entry' },
  },
  {
    name: 'two swapped entries',
    tamper: (db) =>
      asSuperuser(db, [
        sql`UPDATE ledger_entries SET seq = 1000000 WHERE seq = 20`,
        sql`UPDATE ledger_entries SET seq = 20 WHERE seq = 21`,
        sql`UPDATE ledger_entries SET seq = 21 WHERE seq = 1000000`,
      ]),
    stored: { seq: 20, check: 'seq' },
    exported: { seq: 20, check: 'seq' },
  },
  {
    name: 'a truncated tail',
    tamper: (db) => asSuperuser(db, [sql`DELETE FROM ledger_entries WHERE seq >= 35`]),
    stored: { seq: 35, check: 'truncated' },
    exported: { seq: 35, check: 'truncated' },
    withTrustedCheckpoint: true,
  },
  {
    name: 'a replaced checkpoint',
    tamper: async (db) => {
      const forger = testLedger(db);
      const latest = await latestCheckpoint(db);
      const size = latest?.treeSize ?? 0;
      const { signCheckpoint } = await import('../../src/ledger/checkpoint.js');
      const note = signCheckpoint({ origin: ORIGIN, size, root: latest?.root ?? Buffer.alloc(32) }, forger.key);
      await asSuperuser(db, [sql`UPDATE ledger_checkpoints SET note = ${note} WHERE tree_size = ${size}`]);
    },
    stored: { seq: SIZE, check: 'checkpoint-signature' },
    exported: { seq: SIZE, check: 'checkpoint-signature' },
  },
  {
    name: 'a byte that is not UTF-8',
    tamper: (db) =>
      asSuperuser(db, [
        sql`UPDATE ledger_entries SET canonical = overlay(canonical placing '\\xff'::bytea from 12 for 1) WHERE seq = 18`,
      ]),
    stored: { seq: 18, check: 'entry-format' },
    exported: { seq: 18, check: 'entry-format' },
  },
  {
    name: 'a changed stored tree node',
    tamper: (db) => asSuperuser(db, [sql`UPDATE ledger_nodes SET hash = sha256(hash) WHERE level = 4 AND idx = 1`]),
    stored: { seq: 31, check: 'tree-node' },
    exported: { seq: -1, check: 'tree-node' },
  },
];

// One pair of decoder threads for every case: starting threads is most of this file's time.
const pool = new LeafDecoderPool(2);
t.teardown(() => pool.close());

for (const tamperCase of CASES) {
  t.test(`${tamperCase.name} is detected and located`, async (t) => {
    const database = await openTestDatabase();
    t.teardown(() => database.close());
    const { db } = database.handle;
    const ledger = testLedger(db);
    for (let i = 0; i < 4; i += 1) await appendEvents(ledger.appender, SIZE / 4);
    const trustedNote = (await latestCheckpoint(db))?.note;
    const clean = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [ledger.verifierKey] });
    t.equal(clean.ok, true, 'the log verifies before tampering');
    // The same log decoded in two worker threads, in chunks of 7 split between them.
    const threadedOptions = {
      origin: ORIGIN,
      trustedKeys: [ledger.verifierKey],
      parallelFrom: 0,
      threads: 2,
      pool,
      chunkSize: 7,
    };
    const cleanThreaded = await verifyStoredLedger(db, threadedOptions);
    t.same(cleanThreaded, clean, 'and verifies alike in worker threads');
    await tamperCase.tamper(db, ledger);
    const stored = await verifyStoredLedger(db, { origin: ORIGIN, trustedKeys: [ledger.verifierKey] });
    t.equal(stored.ok, false, 'the stored-log verification fails');
    t.match(stored.firstFailure, tamperCase.stored, `stored: ${JSON.stringify(stored.firstFailure)}`);
    const threaded = await verifyStoredLedger(db, threadedOptions);
    t.same(threaded, stored, 'decoding in worker threads finds the same first failure');
    const exported = await verifyExport(db, ledger, tamperCase.withTrustedCheckpoint ? trustedNote : undefined);
    if (tamperCase.exported.seq < 0) {
      t.equal(exported.ok, true, 'an export carries no stored nodes: the offline verifier recomputes them');
    } else {
      t.equal(exported.ok, false, 'the offline verification fails');
      t.match(exported.firstFailure, tamperCase.exported, `export: ${JSON.stringify(exported.firstFailure)}`);
    }
  });
}
