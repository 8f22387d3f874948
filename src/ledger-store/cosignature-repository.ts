/** Stored witness cosignatures: one `cosignature/v1` line per witness and checkpoint size. */
import { sql } from 'kysely';
import { checkpointBody } from '../ledger/checkpoint.js';
import { type CosignerKey, verifyCosignatures } from '../ledger/cosignature.js';
import type { Executor } from '../storage/transaction.js';

export interface CosignatureRow {
  readonly witness: string;
  readonly treeSize: number;
  readonly root: Buffer;
  /** The signature line, newline included. */
  readonly signature: string;
  readonly cosignedAt: Date;
}

export async function insertCosignature(db: Executor, row: CosignatureRow): Promise<void> {
  await db
    .insertInto('ledger_cosignatures')
    .values({
      witness: row.witness,
      tree_size: row.treeSize,
      root: row.root,
      signature: row.signature,
      cosigned_at: row.cosignedAt,
    })
    .onConflict((conflict) => conflict.columns(['witness', 'tree_size']).doNothing())
    .execute();
}

/** The largest size each named witness cosigned, with its root. */
export async function latestCosigned(db: Executor, witnesses: readonly string[]): Promise<Map<string, CosignatureRow>> {
  const found = new Map<string, CosignatureRow>();
  if (witnesses.length === 0) return found;
  const rows = await sql<{ witness: string; tree_size: number; root: Buffer; signature: string; cosigned_at: Date }>`
    SELECT DISTINCT ON (witness) witness, tree_size, root, signature, cosigned_at FROM ledger_cosignatures
    WHERE witness = ANY(${witnesses}::text[]) ORDER BY witness, tree_size DESC`.execute(db);
  for (const row of rows.rows) {
    found.set(row.witness, {
      witness: row.witness,
      treeSize: Number(row.tree_size),
      root: row.root,
      signature: row.signature,
      cosignedAt: row.cosigned_at,
    });
  }
  return found;
}

/** The cosignature lines on the checkpoint of `size` by the named witnesses. */
export async function cosignaturesOf(db: Executor, size: number, witnesses: readonly string[]): Promise<string[]> {
  if (witnesses.length === 0) return [];
  const rows = await db
    .selectFrom('ledger_cosignatures')
    .select('signature')
    .where('tree_size', '=', size)
    .where('witness', 'in', witnesses)
    .orderBy('witness')
    .execute();
  return rows.map((row) => row.signature);
}

/**
 * The largest checkpoint size at least `quorum` of the named witnesses cosigned (undefined: none),
 * optionally the smallest such size of at least `atLeast`.
 */
export async function witnessedSize(
  db: Executor,
  witnesses: readonly string[],
  quorum: number,
  atLeast?: number,
): Promise<number | undefined> {
  if (witnesses.length === 0 || quorum < 1) return undefined;
  const rows = await sql<{ tree_size: number }>`
    SELECT tree_size FROM ledger_cosignatures
    WHERE witness = ANY(${witnesses}::text[]) AND tree_size >= ${atLeast ?? 1}
    GROUP BY tree_size HAVING count(DISTINCT witness) >= ${quorum}
    ORDER BY tree_size ${atLeast === undefined ? sql`DESC` : sql`ASC`} LIMIT 1`.execute(db);
  const size = rows.rows[0]?.tree_size;
  return size === undefined ? undefined : Number(size);
}

/** The cosignature lines of every checkpoint size in (fromSize, throughSize], joined per size in witness order. */
export async function cosignaturesBetween(db: Executor, fromSize: number, throughSize: number): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('ledger_cosignatures')
    .select(['tree_size', 'signature'])
    .where('tree_size', '>', fromSize)
    .where('tree_size', '<=', throughSize)
    .orderBy('tree_size')
    .orderBy('witness')
    .execute();
  const joined = new Map<number, string>();
  for (const row of rows) joined.set(Number(row.tree_size), (joined.get(Number(row.tree_size)) ?? '') + row.signature);
  return joined;
}

/** The largest size at least `quorum` witnesses cosigned, as far as each witness's latest stored cosignature verifies. */
export async function latestWitnessed(
  db: Executor,
  origin: string,
  witnesses: readonly CosignerKey[],
  quorum: number,
): Promise<{ size: number; root: Buffer } | undefined> {
  if (witnesses.length === 0) return undefined;
  const latest = await latestCosigned(
    db,
    witnesses.map((witness) => witness.name),
  );
  const rows = [...latest.values()];
  const verified = rows.filter((row) => {
    const body = checkpointBody({ origin, size: row.treeSize, root: row.root });
    try {
      return verifyCosignatures(body, [row.signature], witnesses).length === 1;
    } catch {
      return false;
    }
  });
  // The quorum-th largest cosigned size: at least `quorum` witnesses cosigned that size or a larger one.
  const sorted = verified.sort((a, b) => b.treeSize - a.treeSize);
  const bound = sorted[quorum - 1];
  return bound === undefined ? undefined : { size: bound.treeSize, root: bound.root };
}
