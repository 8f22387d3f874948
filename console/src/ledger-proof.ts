/**
 * The console's own verifier, written from docs/ledger-format.md and run in the browser (it imports
 * nothing from the service): a C2SP signed-note checkpoint checked against the log's verifier key,
 * and an RFC 9162 §2.1.3.2 inclusion proof from an entry's exact bytes to the checkpoint's root.
 * A `c2sp` log (Ed25519 key, type 0x01) is checked with Web Crypto's Ed25519 and SHA-256; a
 * `shangmi` log (SM2 key, type 0xff "sm2-sm3") with SM2 and SM3 (shangmi.ts).
 */
import { sm2Verifies, sm3 } from './shangmi.js';

export type Suite = 'c2sp' | 'shangmi';

export interface VerifierKey {
  readonly name: string;
  readonly keyId: Uint8Array;
  /** The 32-byte Ed25519 key, or the 65-byte SM2 point 0x04 ‖ X ‖ Y. */
  readonly publicKey: Uint8Array;
  /** The log's suite, which its key's type says. */
  readonly suite: Suite;
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
}

export class ProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProofError';
  }
}

const encoder = new TextEncoder();

export function fromBase64(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new ProofError('not base64');
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

export function fromHex(text: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(text)) throw new ProofError('not lowercase hex');
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

export async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

/** The hash a log of `suite` is built with: SHA-256, or SM3. */
export function hashOf(suite: Suite): (...parts: Uint8Array[]) => Promise<Uint8Array> {
  return suite === 'shangmi' ? (...parts) => sm3(concat(...parts)) : sha256;
}

/** 0xff then "sm2-sm3": the signature type of the `shangmi` suite's SM2 keys. */
const SM2_TYPE = concat(new Uint8Array([0xff]), encoder.encode('sm2-sm3'));

/**
 * name+hex8+base64(0x01 || 32-byte Ed25519 key), or name+hex8+base64(0xff "sm2-sm3" || 65-byte SM2
 * point), with the key id checked against the key.
 */
export async function parseVerifierKey(text: string): Promise<VerifierKey> {
  // The name holds no "+"; the base64 part may.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (match === null) throw new ProofError('a verifier key is name+hex8+base64');
  const [, name, hexId, encoded] = match as unknown as [string, string, string, string];
  const material = fromBase64(encoded);
  let suite: Suite;
  let publicKey: Uint8Array;
  if (material.length === 33 && material[0] === 0x01) {
    suite = 'c2sp';
    publicKey = material.subarray(1);
  } else if (material.length === SM2_TYPE.length + 65 && equal(material.subarray(0, SM2_TYPE.length), SM2_TYPE)) {
    suite = 'shangmi';
    publicKey = material.subarray(SM2_TYPE.length);
  } else {
    throw new ProofError('neither an Ed25519 nor an SM2 verifier key');
  }
  // The key ID is SHA-256 under either suite: the signed-note specification's recommended rule.
  const keyId = (await sha256(encoder.encode(`${name}\n`), material)).subarray(0, 4);
  if (toHex(keyId) !== hexId) throw new ProofError('the key id does not match the key');
  return { name, keyId, publicKey, suite };
}

/**
 * Opens a signed checkpoint: finds the signature line of `key`, verifies it over the note text, and
 * parses the body (origin, decimal size, base64 root). Throws ProofError when anything fails.
 */
export async function openCheckpoint(note: string, key: VerifierKey): Promise<Checkpoint> {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new ProofError('no signature block');
  const body = note.slice(0, split + 1);
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((line) => line !== '');
  const prefix = `\u2014 ${key.name} `;
  let verified = false;
  for (const line of signatures) {
    if (!line.startsWith(prefix)) continue;
    const signature = fromBase64(line.slice(prefix.length));
    if (!equal(signature.subarray(0, 4), key.keyId)) continue;
    if (key.suite === 'shangmi') {
      verified = await sm2Verifies(key.publicKey, encoder.encode(body), signature.subarray(4));
    } else {
      if (signature.length !== 68) continue;
      const publicKey = await crypto.subtle.importKey('raw', concat(key.publicKey), { name: 'Ed25519' }, false, ['verify']);
      verified = await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, concat(signature.subarray(4)), encoder.encode(body));
    }
    if (verified) break;
  }
  if (!verified) throw new ProofError(`no valid signature by ${key.name}`);
  const lines = body.split('\n');
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (lines.length < 4 || !/^(0|[1-9][0-9]*)$/.test(sizeText ?? '')) throw new ProofError('not a checkpoint body');
  const root = fromBase64(rootText);
  if (root.length !== 32) throw new ProofError('the root is not 32 bytes');
  return { origin, size: Number(sizeText), root };
}

/** RFC 9162 §2.1.1: the hash of a leaf is H(0x00 || bytes), H the suite's hash. */
export function leafHash(bytes: Uint8Array, suite: Suite = 'c2sp'): Promise<Uint8Array> {
  return hashOf(suite)(new Uint8Array([0x00]), bytes);
}

/** RFC 9162 §2.1.3.2: the root an audit path leads to from leaf `index` of a tree of `size` leaves. */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
  suite: Suite = 'c2sp',
): Promise<Uint8Array> {
  if (!(index >= 0 && index < size)) throw new ProofError('the leaf is outside the tree');
  const hash = hashOf(suite);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  const node = new Uint8Array([0x01]);
  for (const p of path) {
    if (sn === 0) throw new ProofError('the proof is longer than the tree is deep');
    if (fn % 2 === 1 || fn === sn) {
      r = await hash(node, p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await hash(node, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new ProofError('the proof is shorter than the tree is deep');
  return r;
}

export type InclusionResult =
  | { readonly ok: true; readonly leafHash: string }
  | { readonly ok: false; readonly leafHash: string; readonly problem: string };

/** Whether `bytes`, at `index`, is included in the tree the checkpoint signs. */
export async function verifyInclusion(
  bytes: Uint8Array,
  index: number,
  checkpoint: Checkpoint,
  path: readonly string[],
  suite: Suite = 'c2sp',
): Promise<InclusionResult> {
  const leaf = await leafHash(bytes, suite);
  try {
    const root = await rootFromInclusionProof(index, checkpoint.size, leaf, path.map(fromHex), suite);
    if (equal(root, checkpoint.root)) return { ok: true, leafHash: toHex(leaf) };
    return { ok: false, leafHash: toHex(leaf), problem: 'the proof leads to another root than the checkpoint signs' };
  } catch (error) {
    return { ok: false, leafHash: toHex(leaf), problem: (error as Error).message };
  }
}
