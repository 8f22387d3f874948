/**
 * C2SP tlog-proof: "c2sp.org/tlog-proof@v1", an optional "extra <base64>" line, "index <n>", the
 * audit path as base64 hashes one per line, a blank line, then the signed checkpoint. Here `extra`
 * carries the entry's exact canonical bytes, so a receipt verifies offline on its own.
 */

import { openCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { hashesEqual, parseBase64Hash } from './hashes.js';
import type { VerifierKey } from './note.js';
import { rootFromInclusionProof } from './proofs.js';
import { treeHashOfSigner } from './tree-hash.js';

const HEADER = 'c2sp.org/tlog-proof@v1';

export interface ProofFile {
  readonly index: number;
  readonly hashes: readonly Buffer[];
  readonly extra: Buffer | undefined;
  readonly checkpoint: string;
}

export class ProofFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProofFileError';
  }
}

export function formatProofFile(proof: ProofFile): string {
  const lines = [HEADER];
  if (proof.extra !== undefined) lines.push(`extra ${proof.extra.toString('base64')}`);
  lines.push(`index ${proof.index}`);
  for (const hash of proof.hashes) lines.push(hash.toString('base64'));
  return `${lines.join('\n')}\n\n${proof.checkpoint}`;
}

export function parseProofFile(text: string): ProofFile {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new ProofFileError('no blank line before the checkpoint');
  const lines = text.slice(0, split).split('\n');
  if (lines.shift() !== HEADER) throw new ProofFileError(`the first line must be ${HEADER}`);
  let extra: Buffer | undefined;
  if (lines[0]?.startsWith('extra ')) {
    const encoded = (lines.shift() as string).slice('extra '.length);
    extra = Buffer.from(encoded, 'base64');
    if (extra.toString('base64') !== encoded) throw new ProofFileError('extra is not base64');
  }
  const indexLine = lines.shift() ?? '';
  const match = /^index (0|[1-9][0-9]{0,15})$/.exec(indexLine);
  if (match === null || !Number.isSafeInteger(Number(match[1]))) throw new ProofFileError('missing or malformed index line');
  const hashes = lines.map((line) => {
    const hash = parseBase64Hash(line);
    if (hash === undefined) throw new ProofFileError('a proof hash is not base64 SHA-256');
    return hash;
  });
  if (hashes.length > 64) throw new ProofFileError('too many proof hashes');
  return { index: Number(match[1]), hashes, extra, checkpoint: text.slice(split + 2) };
}

/** Verifies a receipt whose extra holds the entry bytes; returns the checkpoint it is proven against. */
export function verifyProofFile(text: string, origin: string, keys: readonly VerifierKey[]): SignedCheckpoint {
  const proof = parseProofFile(text);
  if (proof.extra === undefined) throw new ProofFileError('the receipt carries no entry bytes');
  const checkpoint = openCheckpoint(proof.checkpoint, origin, keys);
  // The key that signed the checkpoint says the log's suite: an SM2 key signs a `shangmi` log.
  const hasher = treeHashOfSigner(checkpoint.key);
  const root = rootFromInclusionProof(proof.index, checkpoint.size, hasher.leaf(proof.extra), proof.hashes, hasher);
  if (root === undefined || !hashesEqual(root, checkpoint.root))
    throw new ProofFileError('the inclusion proof does not reach the checkpoint root');
  return checkpoint;
}
