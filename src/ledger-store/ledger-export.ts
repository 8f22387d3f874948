/** Streams an export (src/ledger/export-format.ts) of entries [from, to) in constant memory. */
import { EXPORT_FORMAT, type ExportLine } from '../ledger/export-format.js';
import { frontierNodes } from '../ledger/tree.js';
import { C2SP_TREE_HASH, type TreeHash } from '../ledger/tree-hash.js';
import type { Executor } from '../storage/transaction.js';
import { keyHistory } from './ledger-keys.js';
import { fetchNodes, requireNodes, treeSize } from './ledger-repository.js';
import { readLedgerChunks } from './ledger-stream.js';
import type { SubjectOpening } from './vault.js';

export interface ExportRange {
  readonly from: number;
  readonly to: number;
}

/** The range an export of [from, to?) covers now; `to` defaults to the log's size. */
export async function exportRange(db: Executor, from: number, to: number | undefined): Promise<ExportRange & { size: number }> {
  const size = await treeSize(db);
  return { from, to: to ?? size, size };
}

/** Opened personal values to include, for an export to a named recipient. */
export interface ExportDisclosure {
  readonly recipient: string;
  openings(seqs: readonly number[]): Promise<Map<number, readonly SubjectOpening[]>>;
}

export async function* exportLines(
  db: Executor,
  origin: string,
  range: ExportRange,
  disclosure?: ExportDisclosure,
  hasher: TreeHash = C2SP_TREE_HASH,
): AsyncGenerator<string> {
  const keys = await keyHistory(db);
  const refs = [...frontierNodes(range.from), ...(range.from > 0 ? [{ level: 0, idx: range.from - 1 }] : [])];
  const hashes = range.from > 0 ? requireNodes(await fetchNodes(db, refs, hasher), refs) : [];
  const lastLeaf = range.from > 0 ? (hashes.pop() as Buffer) : undefined;
  const active = [...keys].reverse().find((key) => key.introducedAt < range.from);
  const line = (value: ExportLine) => `${JSON.stringify(value)}\n`;
  yield line({
    type: 'header',
    format: EXPORT_FORMAT,
    origin,
    verifier_keys: keys.map((key) => key.key),
    from: range.from,
    to: range.to,
    recipient: disclosure?.recipient ?? null,
    start: {
      frontier: hashes.map((hash) => hash.toString('hex')),
      last_leaf: lastLeaf === undefined ? null : lastLeaf.toString('hex'),
      active_key: active?.key ?? null,
    },
  });
  let count = 0;
  for await (const chunk of readLedgerChunks(db, { from: range.from, to: range.to, withNodes: false, withCosignatures: true })) {
    let pending = 0;
    let text = '';
    const opened = disclosure === undefined ? undefined : await disclosure.openings(chunk.entries.map((entry) => entry.seq));
    for (const entry of chunk.entries) {
      text += line({ type: 'entry', seq: entry.seq, canonical: entry.canonical.toString('base64') });
      for (const value of opened?.get(entry.seq) ?? []) {
        text += line({
          type: 'opening',
          seq: entry.seq,
          pointer: value.pointer,
          value: value.value,
          salt: value.salt.toString('hex'),
        });
      }
      count += 1;
      const checkpoint = chunk.checkpoints[pending];
      if (checkpoint !== undefined && checkpoint.treeSize === entry.seq + 1) {
        text += line({ type: 'checkpoint', tree_size: checkpoint.treeSize, note: checkpoint.note });
        pending += 1;
      }
    }
    yield text;
  }
  yield line({ type: 'end', entries: count });
}
