/**
 * C2SP tlog-checkpoint bodies: origin line, decimal tree size, base64 root hash, each ending in a
 * newline. Extension lines are not written; when read they are ignored.
 */
import type { KeyObject } from 'node:crypto';
import { parseBase64Hash } from './hashes.js';
import { NoteError, openNote, signNote, type VerifierKey } from './note.js';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

export interface SignedCheckpoint extends Checkpoint {
  /** The exact signed note. */
  readonly note: string;
  readonly key: VerifierKey;
}

export function checkpointBody(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n`;
}

export function signCheckpoint(checkpoint: Checkpoint, privateKey: KeyObject): string {
  return signNote(checkpointBody(checkpoint), checkpoint.origin, privateKey);
}

/** The origin line of a checkpoint note, unverified ("" when there is none). */
export function checkpointOrigin(note: string): string {
  const end = note.indexOf('\n');
  return end < 0 ? '' : note.slice(0, end);
}

export function parseCheckpointBody(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4) throw new NoteError('a checkpoint has an origin, a size and a root');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (origin === '') throw new NoteError('the checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new NoteError('the checkpoint size is not a decimal tree size');
  }
  const root = parseBase64Hash(rootText);
  if (root === undefined) throw new NoteError('the checkpoint root is not a base64 32-byte hash');
  return { origin, size: Number(sizeText), root };
}

/** Verifies a signed checkpoint from `origin` against `keys` and parses its body. */
export function openCheckpoint(note: string, origin: string, keys: readonly VerifierKey[]): SignedCheckpoint {
  const opened = openNote(
    note,
    keys.filter((key) => key.name === origin),
  );
  const checkpoint = parseCheckpointBody(opened.text);
  if (checkpoint.origin !== origin) throw new NoteError(`the checkpoint is for origin ${checkpoint.origin}`);
  return { ...checkpoint, note, key: opened.key };
}
