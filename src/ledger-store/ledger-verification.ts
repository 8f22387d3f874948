/**
 * Verifies the stored ledger: every entry, stored node and checkpoint, from the start or from a
 * trusted checkpoint. From a trusted checkpoint of size m the stored frontier at m must fold to the
 * trusted root, and a consistency proof from it to the latest checkpoint must hold; then only the
 * entries after m are read.
 */
import { availableParallelism } from 'node:os';
import type { Checkpoint } from '../ledger/checkpoint.js';
import { hashesEqual } from '../ledger/hashes.js';
import { type DecodedLeaves, decodeLeaves, packEntries } from '../ledger/leaf-decoding.js';
import type { VerifierKey } from '../ledger/note.js';
import { verifyConsistency, verifyInclusion } from '../ledger/proofs.js';
import { foldCover } from '../ledger/tree.js';
import { C2SP_TREE_HASH, type TreeHash } from '../ledger/tree-hash.js';
import { type Failure, LogVerifier, type VerificationResult } from '../ledger/verifier.js';
import type { Executor } from '../storage/transaction.js';
import { LeafDecoderPool } from './leaf-decoder-pool.js';
import { keyInForce } from './ledger-keys.js';
import { consistencyProof, inclusionProof } from './ledger-proofs.js';
import {
  fetchNodes,
  latestCheckpoint,
  MissingNodeError,
  readFrontier,
  requireNodes,
  STORED_NODE_MIN_LEVEL,
  treeSize,
} from './ledger-repository.js';
import { type LedgerChunk, readLedgerChunks } from './ledger-stream.js';

export interface Progress {
  readonly entriesChecked: number;
  readonly treeSize: number;
}

/** Logs with at least this many entries to check are decoded in worker threads. */
const PARALLEL_FROM = 50_000;

/** One decoder thread per core beyond the first (which runs the in-order checks), at least one. */
function decoderThreads(): number {
  return Math.min(4, Math.max(1, availableParallelism() - 1));
}

export interface StoredVerificationOptions {
  readonly origin: string;
  readonly trustedKeys: readonly VerifierKey[];
  readonly trusted?: Checkpoint;
  readonly chunkSize?: number;
  readonly onProgress?: (progress: Progress) => void | Promise<void>;
  /** Decode in worker threads from this many entries to check (default 50,000). */
  readonly parallelFrom?: number;
  /** How many decoder threads (default: one per core beyond the first, at most four). */
  readonly threads?: number;
  /** Decoder threads the caller owns and closes (instead of `threads` started for this run). */
  readonly pool?: LeafDecoderPool;
  /** The log's tree hash (its suite's); SHA-256 unless said. */
  readonly hasher?: TreeHash;
}

function failed(size: number, failure: Failure): VerificationResult {
  return { ok: false, treeSize: size, root: '', entriesChecked: 0, checkpointsChecked: 0, firstFailure: failure };
}

export async function verifyStoredLedger(db: Executor, options: StoredVerificationOptions): Promise<VerificationResult> {
  const hasher = options.hasher ?? C2SP_TREE_HASH;
  const latest = await latestCheckpoint(db);
  const entries = await treeSize(db);
  const claimed = Math.max(latest?.treeSize ?? 0, entries);
  let verifier = new LogVerifier({
    origin: options.origin,
    trustedKeys: options.trustedKeys,
    checkNodes: true,
    storedFromLevel: STORED_NODE_MIN_LEVEL,
    hasher,
  });
  let from = 0;
  const trusted = options.trusted;
  if (trusted !== undefined && trusted.size > 0) {
    if (latest === undefined || trusted.size > latest.treeSize) {
      return failed(entries, {
        seq: Math.max(entries - 1, 0),
        check: 'trusted-checkpoint',
        expected: `a log of at least ${trusted.size} entries`,
        actual: `${latest?.treeSize ?? 0}`,
      });
    }
    try {
      const frontier = await readFrontier(db, trusted.size, hasher);
      if (!hashesEqual(foldCover(frontier, hasher), trusted.root)) {
        return failed(entries, {
          seq: trusted.size - 1,
          check: 'trusted-checkpoint',
          expected: trusted.root.toString('hex'),
          actual: foldCover(frontier, hasher).toString('hex'),
        });
      }
      const proof = await consistencyProof(db, trusted.size, latest.treeSize, hasher);
      if (!verifyConsistency(trusted.size, latest.treeSize, trusted.root, latest.root, proof, hasher)) {
        return failed(entries, {
          seq: trusted.size - 1,
          check: 'trusted-checkpoint',
          expected: `consistency with checkpoint ${latest.treeSize}`,
          actual: 'the consistency proof fails',
        });
      }
      const lastLeafRefs = [{ level: 0, idx: trusted.size - 1 }];
      const [lastLeaf] = requireNodes(await fetchNodes(db, lastLeafRefs), lastLeafRefs);
      const path = await inclusionProof(db, trusted.size - 1, trusted.size, hasher);
      if (lastLeaf === undefined || !verifyInclusion(trusted.size - 1, trusted.size, lastLeaf, path, trusted.root, hasher)) {
        return failed(entries, {
          seq: trusted.size - 1,
          check: 'trusted-checkpoint',
          expected: 'the last leaf included',
          actual: 'the inclusion proof fails',
        });
      }
      verifier = new LogVerifier({
        origin: options.origin,
        trustedKeys: options.trustedKeys,
        checkNodes: true,
        storedFromLevel: STORED_NODE_MIN_LEVEL,
        start: { size: trusted.size, frontier, lastLeaf },
        hasher,
      });
      const activeKey = await keyInForce(db, trusted.size);
      if (activeKey !== undefined) verifier.seedActiveKey(activeKey.seq, activeKey.key);
      from = trusted.size;
    } catch (error) {
      if (!(error instanceof MissingNodeError)) throw error;
      return failed(entries, {
        seq: trusted.size - 1,
        check: 'tree-node',
        expected: `${error.node.level}/${error.node.idx}`,
        actual: 'missing',
      });
    }
  }
  const chunks = readLedgerChunks(db, {
    from,
    withNodes: true,
    ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
  });
  const threads = claimed - from >= (options.parallelFrom ?? PARALLEL_FROM) ? (options.threads ?? decoderThreads()) : 0;
  const ownPool = threads > 0 && options.pool === undefined ? new LeafDecoderPool(threads) : undefined;
  const pool = threads > 0 ? (options.pool ?? ownPool) : undefined;
  const check = async (chunk: LedgerChunk, decoded: DecodedLeaves) => {
    verifier.expectNodes(chunk.nodes);
    for (const checkpoint of chunk.checkpoints) verifier.queueCheckpoint(checkpoint.note);
    verifier.decodedEntries(decoded, chunk.entries);
    if (!verifier.failed) await options.onProgress?.({ entriesChecked: verifier.size - from, treeSize: claimed });
  };
  const decode = (chunk: LedgerChunk): Promise<DecodedLeaves> => {
    const bytes = chunk.entries.map((entry) => entry.canonical);
    const leaves = chunk.entries.map((entry) => entry.leafHash);
    return pool === undefined
      ? Promise.resolve(decodeLeaves(packEntries(bytes, leaves, hasher.suite)))
      : pool.decode(bytes, leaves, hasher.suite);
  };
  try {
    // One chunk is decoded (in the pool's threads) while the previous one is checked in order.
    let ahead: { chunk: LedgerChunk; decoded: Promise<DecodedLeaves> } | undefined;
    for await (const chunk of chunks) {
      const decoded = decode(chunk);
      decoded.catch(() => undefined);
      if (ahead !== undefined) {
        await check(ahead.chunk, await ahead.decoded);
        if (verifier.failed) break;
      }
      ahead = { chunk, decoded };
    }
    if (ahead !== undefined && !verifier.failed) await check(ahead.chunk, await ahead.decoded);
  } finally {
    await ownPool?.close();
  }
  if (!verifier.failed && latest !== undefined && latest.treeSize > verifier.size) verifier.queueCheckpoint(latest.note);
  return verifier.finish(claimed);
}
