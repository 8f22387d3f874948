/** A worker thread of LeafDecoderPool: decodes packed entries (src/ledger/leaf-decoding.ts). */
import { parentPort } from 'node:worker_threads';
import { decodeLeaves, type PackedEntries } from '../ledger/leaf-decoding.js';

parentPort?.on('message', (message: { readonly id: number; readonly packed: PackedEntries }) => {
  const decoded = decodeLeaves(message.packed);
  parentPort?.postMessage({ id: message.id, decoded }, [
    decoded.seqs.buffer as ArrayBuffer,
    decoded.hashes.buffer as ArrayBuffer,
  ]);
});
