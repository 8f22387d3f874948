/**
 * Reads the ledger in seq order, chunk by chunk, with the stored nodes and checkpoints that each
 * chunk completes: the one reader behind verification and export, in constant memory.
 */

import type { Executor } from '../storage/transaction.js';
import { cosignaturesBetween } from './cosignature-repository.js';
import {
  type CheckpointRow,
  checkpointsBetween,
  type LeafRow,
  listLeaves,
  type NodeRow,
  nodesCompletedIn,
} from './ledger-repository.js';

export interface LedgerChunk {
  readonly entries: LeafRow[];
  /** Stored inner nodes whose range ends within this chunk. */
  readonly nodes: NodeRow[];
  /** Checkpoints whose size falls within this chunk, ascending. */
  readonly checkpoints: CheckpointRow[];
}

export interface StreamOptions {
  readonly from: number;
  /** Exclusive; undefined reads to the end. */
  readonly to?: number;
  readonly chunkSize?: number;
  readonly withNodes: boolean;
  /** Append the stored witness cosignature lines to each checkpoint's note (the export does). */
  readonly withCosignatures?: boolean;
}

async function readChunk(
  db: Executor,
  options: StreamOptions,
  from: number,
  chunkSize: number,
): Promise<LedgerChunk | undefined> {
  const limit = options.to === undefined ? chunkSize : Math.min(chunkSize, options.to - from);
  if (limit <= 0) return undefined;
  const entries = await listLeaves(db, from, options.to, limit);
  if (entries.length === 0) return undefined;
  const through = (entries[entries.length - 1] as LeafRow).seq + 1;
  const [nodes, checkpoints] = await Promise.all([
    options.withNodes ? nodesCompletedIn(db, from, through) : Promise.resolve([]),
    checkpointsBetween(db, from, through, Number.MAX_SAFE_INTEGER),
  ]);
  if (options.withCosignatures !== true || checkpoints.length === 0) return { entries, nodes, checkpoints };
  const lines = await cosignaturesBetween(db, from, through);
  return {
    entries,
    nodes,
    checkpoints: checkpoints.map((checkpoint) => ({
      ...checkpoint,
      note: checkpoint.note + (lines.get(checkpoint.treeSize) ?? ''),
    })),
  };
}

/** Chunks in order; the next chunk is read while the caller works on the current one. */
export async function* readLedgerChunks(db: Executor, options: StreamOptions): AsyncGenerator<LedgerChunk> {
  const chunkSize = options.chunkSize ?? 10_000;
  let next = readChunk(db, options, options.from, chunkSize);
  for (;;) {
    const chunk = await next;
    if (chunk === undefined) return;
    next = readChunk(db, options, (chunk.entries[chunk.entries.length - 1] as LeafRow).seq + 1, chunkSize);
    // A rejected read-ahead must not go unobserved while the caller is still working.
    next.catch(() => undefined);
    yield chunk;
  }
}
