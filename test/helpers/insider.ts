/**
 * What an insider with the database superuser can do to the ledger tables: switch the append-only
 * triggers off, change rows, switch them on again. `truncateTo` cuts the log's tail; `rewriteFrom`
 * replaces the history from a seq and recomputes every later hash and tree node, as someone without
 * the signing key would (no checkpoint is signed over the new history).
 */
import { type Kysely, sql } from 'kysely';
import { entryTime } from '../../src/ledger/entry.js';
import { BatchBuilder } from '../../src/ledger-store/ledger-batch.js';
import { insertEntries, insertNodes, readFrontier, readHeadSummary } from '../../src/ledger-store/ledger-repository.js';
import type { Database } from '../../src/storage/schema.js';

const LEDGER_TABLES = ['ledger_entries', 'ledger_nodes', 'ledger_checkpoints', 'ledger_cosignatures'];

export async function asSuperuser(db: Kysely<Database>, statements: ReturnType<typeof sql>[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const table of LEDGER_TABLES) await sql`ALTER TABLE ${sql.table(table)} DISABLE TRIGGER ALL`.execute(trx);
    for (const statement of statements) await statement.execute(trx);
    for (const table of LEDGER_TABLES) {
      for (const trigger of [`${table}_no_change`, `${table}_no_truncate`]) {
        await sql`ALTER TABLE ${sql.table(table)} ENABLE ALWAYS TRIGGER ${sql.id(trigger)}`.execute(trx);
      }
    }
  });
}

function cutStatements(size: number, dropCheckpoints: boolean): ReturnType<typeof sql>[] {
  return [
    sql`DELETE FROM ledger_entries WHERE seq >= ${size}`,
    sql`DELETE FROM ledger_nodes WHERE (idx + 1) * (1::bigint << level) > ${size}`,
    ...(dropCheckpoints
      ? [
          sql`DELETE FROM ledger_checkpoints WHERE tree_size > ${size}`,
          sql`DELETE FROM ledger_cosignatures WHERE tree_size > ${size}`,
        ]
      : []),
  ];
}

/** Deletes the entries from `size` on and their tree nodes, and with `dropCheckpoints` the checkpoints that name them. */
export function truncateTo(db: Kysely<Database>, size: number, dropCheckpoints: boolean): Promise<void> {
  return asSuperuser(db, cutStatements(size, dropCheckpoints));
}

/** Replaces entries `from`… with `count` others, recomputing their prev links, leaf hashes and nodes. */
export async function rewriteFrom(db: Kysely<Database>, from: number, count: number, dropCheckpoints: boolean): Promise<void> {
  await truncateTo(db, from, dropCheckpoints);
  const head = await readHeadSummary(db);
  const builder = new BatchBuilder({ ...head, frontier: await readFrontier(db, from) }, entryTime(new Date()));
  for (let i = 0; i < count; i += 1) {
    builder.add(
      builder.encode({
        kind: 'playback.started',
        actor: { unit: 'district-7', subject: 'insider' },
        payload: { camera_id: 'cam-rewritten', session_id: `r-${i}` },
      }),
    );
  }
  await insertEntries(db, builder.entries);
  await insertNodes(db, builder.nodes);
}

export async function entryCount(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('ledger_entries').select(sql<number>`count(*)::int`.as('count')).executeTakeFirstOrThrow();
  return row.count;
}

/** Replaces `text` with `replacement` inside the stored bytes of entry `seq`, leaving its hashes alone. */
export function editEntryBytes(db: Kysely<Database>, seq: number, text: string, replacement: string): Promise<void> {
  return asSuperuser(db, [
    sql`UPDATE ledger_entries SET canonical = convert_to(replace(convert_from(canonical, 'UTF8'), ${text}, ${replacement}), 'UTF8') WHERE seq = ${seq}`,
  ]);
}
