/**
 * Reading and writing the ledger tables. Plain functions of a Kysely executor (db or trx); the
 * maths lives in src/ledger/. Writes are multi-row INSERTs over unnest() so a batch costs one round
 * trip per table whatever its size.
 */
import { sql } from 'kysely';
import { frontierNodes, type NodeRef, nodeKey, TreeFrontier } from '../ledger/tree.js';
import { C2SP_TREE_HASH, type TreeHash } from '../ledger/tree-hash.js';
import type { Executor } from '../storage/transaction.js';

export interface EntryRow {
  readonly seq: number;
  readonly time: string;
  readonly kind: string;
  readonly unit: string | null;
  readonly subject: string | null;
  readonly camera: string | null;
  readonly ref: string | null;
  readonly canonical: Buffer;
  readonly leafHash: Buffer;
}

export interface NodeRow {
  readonly level: number;
  readonly idx: number;
  readonly hash: Buffer;
}

export interface CheckpointRow {
  readonly treeSize: number;
  readonly root: Buffer;
  readonly keyId: string;
  readonly note: string;
  readonly createdAt: Date;
}

/** What a writer checks under the lock before it extends the log. */
export interface HeadSummary {
  readonly size: number;
  /** Leaf hash of entry size-1; undefined for the empty log. */
  readonly lastLeaf: Buffer | undefined;
  /** Key ID (hex) of the latest checkpoint's signature. */
  readonly keyId: string | undefined;
  /** The latest stored checkpoint. */
  readonly checkpoint?: { readonly size: number; readonly root: Buffer; readonly note: string };
}

/** The advisory lock key that serialises every writer of this database's log. */
export const LEDGER_LOCK_KEY = 0x6677_6c65; // "fwle"

export async function lockLedger(trx: Executor): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${LEDGER_LOCK_KEY})`.execute(trx);
}

export async function insertEntries(trx: Executor, rows: readonly EntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO ledger_entries (seq, time, kind, unit, subject, camera, ref, canonical, leaf_hash)
    SELECT * FROM unnest(
      ${rows.map((row) => row.seq)}::bigint[], ${rows.map((row) => row.time)}::timestamptz[],
      ${rows.map((row) => row.kind)}::text[], ${rows.map((row) => row.unit)}::text[],
      ${rows.map((row) => row.subject)}::text[], ${rows.map((row) => row.camera)}::text[],
      ${rows.map((row) => row.ref)}::text[], ${rows.map((row) => row.canonical)}::bytea[], ${rows.map((row) => row.leafHash)}::bytea[])`.execute(
    trx,
  );
}

export async function insertNodes(trx: Executor, rows: readonly NodeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO ledger_nodes (level, idx, hash)
    SELECT * FROM unnest(${rows.map((row) => row.level)}::smallint[], ${rows.map((row) => row.idx)}::bigint[],
      ${rows.map((row) => row.hash)}::bytea[])`.execute(trx);
}

export async function insertCheckpoint(trx: Executor, row: Omit<CheckpointRow, 'createdAt'>): Promise<void> {
  await trx
    .insertInto('ledger_checkpoints')
    .values({ tree_size: row.treeSize, root: row.root, key_id: row.keyId, note: row.note })
    .execute();
}

/**
 * Complete subtrees of levels 1 to 3 (2 to 8 leaves) are not stored: recomputing one reads at most
 * 8 leaf hashes, and not storing them saves seven of every eight node rows on the write path.
 */
export const STORED_NODE_MIN_LEVEL = 4;

/** Hashes of the given nodes in one round trip; level 0 comes from the entries' leaf hashes. */
export async function fetchNodes(
  db: Executor,
  refs: readonly NodeRef[],
  hasher: TreeHash = C2SP_TREE_HASH,
): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (refs.length === 0) return found;
  const computed = refs.filter((ref) => ref.level > 0 && ref.level < STORED_NODE_MIN_LEVEL);
  const leafSet = new Set(refs.filter((ref) => ref.level === 0).map((ref) => ref.idx));
  for (const ref of computed) {
    const width = 2 ** ref.level;
    for (let leaf = ref.idx * width; leaf < (ref.idx + 1) * width; leaf += 1) leafSet.add(leaf);
  }
  const leaves = [...leafSet];
  const inner = refs.filter((ref) => ref.level >= STORED_NODE_MIN_LEVEL);
  const rows = await sql<{ level: number; idx: number; hash: Buffer }>`
    SELECT 0 AS level, e.seq AS idx, e.leaf_hash AS hash FROM ledger_entries e WHERE e.seq = ANY(${leaves}::bigint[])
    UNION ALL
    SELECT n.level, n.idx, n.hash FROM ledger_nodes n
    JOIN unnest(${inner.map((ref) => ref.level)}::smallint[], ${inner.map((ref) => ref.idx)}::bigint[]) AS wanted(level, idx)
      ON n.level = wanted.level AND n.idx = wanted.idx`.execute(db);
  for (const row of rows.rows) found.set(nodeKey({ level: row.level, idx: row.idx }), row.hash);
  for (const ref of computed) {
    const width = 2 ** ref.level;
    const subtree = new TreeFrontier(hasher);
    let complete = true;
    for (let leaf = ref.idx * width; leaf < (ref.idx + 1) * width; leaf += 1) {
      const hash = found.get(nodeKey({ level: 0, idx: leaf }));
      if (hash === undefined) {
        complete = false;
        break;
      }
      subtree.append(hash);
    }
    if (complete) found.set(nodeKey(ref), subtree.root());
  }
  return found;
}

export class MissingNodeError extends Error {
  constructor(readonly node: NodeRef) {
    super(`tree node ${nodeKey(node)} is missing`);
    this.name = 'MissingNodeError';
  }
}

export function requireNodes(found: Map<string, Buffer>, refs: readonly NodeRef[]): Buffer[] {
  return refs.map((ref) => {
    const hash = found.get(nodeKey(ref));
    if (hash === undefined) throw new MissingNodeError(ref);
    return hash;
  });
}

export async function treeSize(db: Executor): Promise<number> {
  const row = await db.selectFrom('ledger_entries').select(sql<number | null>`max(seq)`.as('max')).executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

/** The last entry's seq and leaf hash and the latest checkpoint: enough to confirm a predicted head. */
export async function readHeadSummary(trx: Executor): Promise<HeadSummary> {
  const result = await sql<{
    seq: number | null;
    leaf: Buffer | null;
    key_id: string | null;
    tree_size: number | null;
    root: Buffer | null;
    note: string | null;
  }>`
    SELECT last.seq, last.leaf_hash AS leaf, cp.key_id, cp.tree_size, cp.root, cp.note
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT seq, leaf_hash FROM ledger_entries ORDER BY seq DESC LIMIT 1) AS last ON true
    LEFT JOIN LATERAL (SELECT key_id, tree_size, root, note FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1) AS cp ON true`.execute(
    trx,
  );
  const row = result.rows[0];
  return {
    size: row?.seq === null || row?.seq === undefined ? 0 : row.seq + 1,
    lastLeaf: row?.leaf ?? undefined,
    keyId: row?.key_id ?? undefined,
    ...(row?.tree_size === null || row?.tree_size === undefined || row.root === null || row.note === null
      ? {}
      : { checkpoint: { size: Number(row.tree_size), root: row.root, note: row.note } }),
  };
}

/** Hashes of `frontierNodes(size)`, largest subtree first: the tree state a writer extends. */
export async function readFrontier(trx: Executor, size: number, hasher: TreeHash = C2SP_TREE_HASH): Promise<Buffer[]> {
  const refs = frontierNodes(size);
  return requireNodes(await fetchNodes(trx, refs, hasher), refs);
}

function toCheckpoint(row: { tree_size: number; root: Buffer; key_id: string; note: string; created_at: Date }): CheckpointRow {
  return { treeSize: Number(row.tree_size), root: row.root, keyId: row.key_id, note: row.note, createdAt: row.created_at };
}

export async function latestCheckpoint(db: Executor): Promise<CheckpointRow | undefined> {
  const row = await db.selectFrom('ledger_checkpoints').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
  return row === undefined ? undefined : toCheckpoint(row);
}

export async function checkpointOfSize(db: Executor, size: number): Promise<CheckpointRow | undefined> {
  const row = await db.selectFrom('ledger_checkpoints').selectAll().where('tree_size', '=', size).executeTakeFirst();
  return row === undefined ? undefined : toCheckpoint(row);
}

/** The smallest stored checkpoint at least `size` (a proof for a leaf is given against it). */
export async function checkpointCovering(db: Executor, size: number): Promise<CheckpointRow | undefined> {
  const row = await db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .where('tree_size', '>=', size)
    .orderBy('tree_size', 'asc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : toCheckpoint(row);
}

export async function checkpointsBetween(
  db: Executor,
  fromSize: number,
  toSize: number,
  limit: number,
): Promise<CheckpointRow[]> {
  const rows = await db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .where('tree_size', '>', fromSize)
    .where('tree_size', '<=', toSize)
    .orderBy('tree_size', 'asc')
    .limit(limit)
    .execute();
  return rows.map(toCheckpoint);
}

function toEntry(row: {
  seq: number;
  time: Date;
  kind: string;
  unit: string | null;
  subject: string | null;
  camera: string | null;
  ref: string | null;
  canonical: Buffer;
  leaf_hash: Buffer;
}): EntryRow {
  return {
    seq: Number(row.seq),
    time: row.time.toISOString(),
    kind: row.kind,
    unit: row.unit,
    subject: row.subject,
    camera: row.camera,
    ref: row.ref,
    canonical: row.canonical,
    leafHash: row.leaf_hash,
  };
}

export async function entryAt(db: Executor, seq: number): Promise<EntryRow | undefined> {
  const row = await db.selectFrom('ledger_entries').selectAll().where('seq', '=', seq).executeTakeFirst();
  return row === undefined ? undefined : toEntry(row);
}

export interface EntryFilter {
  readonly from: number;
  readonly to?: number;
  readonly limit: number;
  readonly kind?: string;
  readonly camera?: string;
  readonly subject?: string;
  readonly unit?: string;
  readonly ref?: string;
  /** Entries whose reference is any of these (a case's requests, grants and holds). */
  readonly refs?: readonly string[];
}

export async function listEntries(db: Executor, filter: EntryFilter): Promise<EntryRow[]> {
  let query = db.selectFrom('ledger_entries').selectAll().where('seq', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('seq', '<', filter.to);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.camera !== undefined) query = query.where('camera', '=', filter.camera);
  if (filter.subject !== undefined) query = query.where('subject', '=', filter.subject);
  if (filter.unit !== undefined) query = query.where('unit', '=', filter.unit);
  if (filter.ref !== undefined) query = query.where('ref', '=', filter.ref);
  if (filter.refs !== undefined) {
    if (filter.refs.length === 0) return [];
    query = query.where('ref', 'in', filter.refs);
  }
  const rows = await query.orderBy('seq', 'asc').limit(filter.limit).execute();
  return rows.map(toEntry);
}

export interface LeafRow {
  readonly seq: number;
  readonly canonical: Buffer;
  readonly leafHash: Buffer;
}

/**
 * Up to `limit` entries from `from` (before `to`), in seq order, with only what verification and
 * export read. Seqs are dense in an intact log, so the entries are first asked for by the range
 * [from, from + limit): a bounded scan whatever the planner believes of the table (with stale
 * statistics an open range ordered and limited was planned as a scan of the whole rest of the log
 * and a sort spilled to disk). Where the range has a gap — a tampered log — the next `limit`
 * entries are read whatever their seqs.
 */
export async function listLeaves(db: Executor, from: number, to: number | undefined, limit: number): Promise<LeafRow[]> {
  const end = to === undefined ? from + limit : Math.min(to, from + limit);
  const select = () => db.selectFrom('ledger_entries').select(['seq', 'canonical', 'leaf_hash']).where('seq', '>=', from);
  let rows = await select().where('seq', '<', end).orderBy('seq', 'asc').execute();
  if (rows.length < end - from) {
    let query = select();
    if (to !== undefined) query = query.where('seq', '<', to);
    rows = await query.orderBy('seq', 'asc').limit(limit).execute();
  }
  return rows.map((row) => ({ seq: row.seq, canonical: row.canonical, leafHash: row.leaf_hash }));
}

/** Stored inner nodes whose leaf range ends in (afterLeaf, throughLeaf]: those a verifier completes there. */
export async function nodesCompletedIn(db: Executor, afterLeaf: number, throughLeaf: number): Promise<NodeRow[]> {
  const levels: number[] = [];
  const firsts: number[] = [];
  const lasts: number[] = [];
  for (let level = STORED_NODE_MIN_LEVEL, width = 2 ** STORED_NODE_MIN_LEVEL; width <= throughLeaf; level += 1, width *= 2) {
    // A node (level, idx) ends at leaf (idx+1)·width: the idx whose end lies in the window.
    const first = Math.floor(afterLeaf / width);
    const last = Math.floor(throughLeaf / width) - 1;
    if (last >= first) {
      levels.push(level);
      firsts.push(first);
      lasts.push(last);
    }
  }
  if (levels.length === 0) return [];
  const rows = await sql<{ level: number; idx: string; hash: Buffer }>`
    SELECT n.level, n.idx, n.hash FROM unnest(${levels}::smallint[], ${firsts}::bigint[], ${lasts}::bigint[]) AS w(level, first, last)
    JOIN ledger_nodes n ON n.level = w.level AND n.idx BETWEEN w.first AND w.last`.execute(db);
  return rows.rows.map((row) => ({ level: row.level, idx: Number(row.idx), hash: row.hash }));
}
