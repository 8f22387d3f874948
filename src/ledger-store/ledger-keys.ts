/** Every key that ever signed a checkpoint, with the tree sizes it signed, from the log itself. */
import { sql } from 'kysely';
import type { Executor } from '../storage/transaction.js';

export interface KeyUse {
  readonly key: string;
  readonly keyId: string;
  readonly introducedAt: number;
  readonly firstTreeSize: number | null;
  readonly lastTreeSize: number | null;
  readonly checkpoints: number;
}

function rotatedKey(canonical: Buffer): string | undefined {
  const key = (JSON.parse(canonical.toString('utf8')) as { payload?: { key?: unknown } }).payload?.key;
  return typeof key === 'string' ? key : undefined;
}

/** The verifier key in force for a tree of `size` entries: the last key.rotated entry before it. */
export async function keyInForce(db: Executor, size: number): Promise<{ seq: number; key: string } | undefined> {
  const row = await db
    .selectFrom('ledger_entries')
    .select(['seq', 'canonical'])
    .where('kind', '=', 'key.rotated')
    .where('seq', '<', size)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const key = row === undefined ? undefined : rotatedKey(row.canonical);
  return row === undefined || key === undefined ? undefined : { seq: row.seq, key };
}

export async function keyHistory(db: Executor): Promise<KeyUse[]> {
  const rotations = await db
    .selectFrom('ledger_entries')
    .select(['seq', 'canonical'])
    .where('kind', '=', 'key.rotated')
    .orderBy('seq', 'asc')
    .execute();
  const uses = await sql<{ key_id: string; first: number; last: number; count: number }>`
    SELECT key_id, min(tree_size) AS first, max(tree_size) AS last, count(*)::int AS count
    FROM ledger_checkpoints GROUP BY key_id`.execute(db);
  const byId = new Map(uses.rows.map((row) => [row.key_id, row]));
  const history: KeyUse[] = [];
  for (const rotation of rotations) {
    const key = rotatedKey(rotation.canonical);
    if (key === undefined) continue;
    const keyId = key.split('+')[1] ?? '';
    const use = byId.get(keyId);
    history.push({
      key,
      keyId,
      introducedAt: rotation.seq,
      firstTreeSize: use?.first ?? null,
      lastTreeSize: use?.last ?? null,
      checkpoints: use?.count ?? 0,
    });
  }
  return history;
}
