/**
 * Worker threads that decode entries for verification, so that parsing, the canonical-form check
 * and leaf hashing of one chunk run beside the in-order checks of the previous one. A chunk is split
 * evenly over the workers and the parts are joined in order.
 */
import { Worker } from 'node:worker_threads';
import { type DecodedLeaves, packEntries } from '../ledger/leaf-decoding.js';
import type { SuiteName } from '../ledger/tree-hash.js';

interface Waiting {
  resolve(decoded: DecodedLeaves): void;
  reject(error: unknown): void;
}

export class LeafDecoderPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;

  constructor(size: number) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => {
      const worker = new Worker(new URL('./leaf-decoder-worker.js', import.meta.url));
      worker.on('message', (message: { id: number; decoded: DecodedLeaves }) => {
        this.waiting.get(message.id)?.resolve(message.decoded);
        this.waiting.delete(message.id);
      });
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`a decoder thread exited with code ${code}`));
      });
      return worker;
    });
  }

  async decode(
    entries: readonly Uint8Array[],
    storedLeaves?: readonly Uint8Array[],
    suite: SuiteName = 'c2sp',
  ): Promise<DecodedLeaves> {
    const size = Math.ceil(entries.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.flatMap((worker, w) => {
        const slice = entries.slice(w * size, (w + 1) * size);
        return slice.length === 0 ? [] : [this.send(worker, slice, storedLeaves?.slice(w * size, (w + 1) * size), suite)];
      }),
    );
    return joinDecoded(parts);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private send(
    worker: Worker,
    entries: readonly Uint8Array[],
    storedLeaves: readonly Uint8Array[] | undefined,
    suite: SuiteName,
  ): Promise<DecodedLeaves> {
    const id = this.nextId++;
    const packed = packEntries(entries, storedLeaves, suite);
    const transfer = [packed.bytes.buffer, packed.offsets.buffer, packed.storedLeaves?.buffer].filter(
      (buffer) => buffer !== undefined,
    ) as ArrayBuffer[];
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, packed }, transfer);
    });
  }

  private failAll(error: unknown): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}

function joinDecoded(parts: readonly DecodedLeaves[]): DecodedLeaves {
  if (parts.length === 1) return parts[0] as DecodedLeaves;
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const seqs = new Float64Array(count);
  const hashes = new Uint8Array(count * 64);
  const linked = new Uint8Array(count);
  const errors: { index: number; message: string }[] = [];
  const rotations: { index: number; key: string }[] = [];
  let at = 0;
  for (const part of parts) {
    seqs.set(part.seqs, at);
    hashes.set(part.hashes, at * 64);
    // The first entry of a part was not compared with its predecessor, in the previous part.
    linked.set(part.linked, at);
    for (const error of part.errors) errors.push({ index: error.index + at, message: error.message });
    for (const rotation of part.rotations) rotations.push({ index: rotation.index + at, key: rotation.key });
    at += part.count;
  }
  return { count, seqs, hashes, linked, errors, rotations };
}
