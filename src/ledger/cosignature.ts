/**
 * C2SP tlog-cosignature, Ed25519 `cosignature/v1`. A cosigner's key ID is
 * SHA-256(name || 0x0A || 0x04 || 32-byte public key)[:4]; its verifier key is the signed-note
 * form name+hex(key ID)+base64(0x04 || key). A cosignature is a note signature line whose blob is
 * key ID || u64 big-endian timestamp || Ed25519 signature over
 * "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint's note body.
 */
import { type KeyObject, sign, verify } from 'node:crypto';
import { NoteError, parseTypedKey, typedKeyFor, type VerifierKey } from './note.js';

export const COSIGNATURE_V1 = 0x04;
const SIGNATURE_PREFIX = '\u2014 ';
const MAX_TIMESTAMP = 2n ** 63n - 1n;

/** A cosigner's key: the shape of a signed-note verifier key, of signature type 0x04. */
export type CosignerKey = VerifierKey;

export interface Cosignature {
  readonly cosigner: CosignerKey;
  /** POSIX seconds. */
  readonly timestamp: number;
  /** The whole signature line, newline included. */
  readonly line: string;
}

/** The cosigner key of a private or public Ed25519 key under `name`. */
export function cosignerKeyFor(name: string, key: KeyObject): CosignerKey {
  return typedKeyFor(name, COSIGNATURE_V1, key, 'cosigner');
}

export function parseCosignerKey(text: string): CosignerKey {
  return parseTypedKey(text, COSIGNATURE_V1, 'cosigner key');
}

/** The message a cosigner signs: header line, time line, then the checkpoint's note body. */
export function cosignedMessage(body: string, timestamp: number): Buffer {
  if (!body.endsWith('\n')) throw new NoteError('a checkpoint body ends with a newline');
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${body}`, 'utf8');
}

function timestampBytes(timestamp: number): Buffer {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new NoteError('a cosignature time is a POSIX timestamp');
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(timestamp));
  return bytes;
}

/** The cosignature line of `privateKey` (named `name`) on the checkpoint body, at `timestamp`. */
export function cosign(body: string, name: string, privateKey: KeyObject, timestamp: number): string {
  const key = cosignerKeyFor(name, privateKey);
  const signature = sign(null, cosignedMessage(body, timestamp), privateKey);
  const blob = Buffer.concat([key.keyId, timestampBytes(timestamp), signature]);
  return `${SIGNATURE_PREFIX}${name} ${blob.toString('base64')}\n`;
}

/**
 * The cosignatures among `lines` (note signature lines) by the given cosigners that verify on
 * `body`. Lines by other keys are ignored; a line by a known cosigner that does not verify throws.
 */
export function verifyCosignatures(body: string, lines: readonly string[], cosigners: readonly CosignerKey[]): Cosignature[] {
  const found: Cosignature[] = [];
  for (const raw of lines) {
    const line = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError('malformed signature line');
    const [name, encoded, extra] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name === undefined || encoded === undefined || extra !== undefined) throw new NoteError('malformed signature line');
    const blob = Buffer.from(encoded, 'base64');
    if (blob.toString('base64') !== encoded) throw new NoteError('malformed signature');
    const cosigner = cosigners.find((key) => key.name === name && blob.length >= 4 && key.keyId.equals(blob.subarray(0, 4)));
    if (cosigner === undefined) continue;
    if (blob.length !== 4 + 8 + 64) throw new NoteError(`the cosignature by ${cosigner.name} is not 76 bytes`);
    const stamp = blob.readBigUInt64BE(4);
    if (stamp > MAX_TIMESTAMP || stamp > BigInt(Number.MAX_SAFE_INTEGER))
      throw new NoteError('the cosignature time is too large');
    const timestamp = Number(stamp);
    if (!verify(null, cosignedMessage(body, timestamp), cosigner.publicKey, blob.subarray(12))) {
      throw new NoteError(`the cosignature by ${cosigner.text} does not verify`);
    }
    if (!found.some((known) => known.cosigner.text === cosigner.text)) found.push({ cosigner, timestamp, line: `${line}\n` });
  }
  return found;
}

/** The note body and signature lines of a signed note (the log's signature and any cosignatures). */
export function splitNote(note: string): { body: string; lines: string[] } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed note: no signature block');
  return { body: note.slice(0, split + 1), lines: note.slice(split + 2, -1).split('\n') };
}
