/**
 * The console's checks of what it remembers and what witnesses say, written from
 * docs/ledger-format.md §3 and run with Web Crypto: an RFC 9162 §2.1.4.2 consistency proof between
 * two tree heads, and C2SP `cosignature/v1` lines (Ed25519, key type 0x04) on a checkpoint.
 */
import { concat, equal, fromBase64, hashOf, ProofError, type Suite, sha256, toHex } from './ledger-proof.js';

const encoder = new TextEncoder();

export interface CosignerKey {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly text: string;
}

/** name+hex8+base64(0x04 || 32-byte Ed25519 key), with the key id checked against the key. */
export async function parseCosignerKey(text: string): Promise<CosignerKey> {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (match === null) throw new ProofError('a witness key is name+hex8+base64');
  const [, name, hexId, encoded] = match as unknown as [string, string, string, string];
  const material = fromBase64(encoded);
  if (material.length !== 33 || material[0] !== 0x04) throw new ProofError(`${name}: not an Ed25519 witness key (type 0x04)`);
  const keyId = (await sha256(encoder.encode(`${name}\n`), material)).subarray(0, 4);
  if (toHex(keyId) !== hexId) throw new ProofError(`${name}: the key id does not match the key`);
  return { name, keyId, publicKey: material.subarray(1), text: text.trim() };
}

/** The witnesses among `keys` whose cosignature on the note verifies (the note body is what they sign). */
export async function cosignedBy(note: string, keys: readonly CosignerKey[]): Promise<string[]> {
  const split = note.indexOf('\n\n');
  if (split < 0) throw new ProofError('no signature block');
  const body = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  const found: string[] = [];
  for (const key of keys) {
    const prefix = `\u2014 ${key.name} `;
    for (const line of lines) {
      if (!line.startsWith(prefix)) continue;
      const blob = fromBase64(line.slice(prefix.length));
      if (blob.length !== 76 || !equal(blob.subarray(0, 4), key.keyId)) continue;
      const time = new DataView(blob.buffer, blob.byteOffset + 4, 8).getBigUint64(0);
      const message = encoder.encode(`cosignature/v1\ntime ${time}\n${body}`);
      const publicKey = await crypto.subtle.importKey('raw', concat(key.publicKey), { name: 'Ed25519' }, false, ['verify']);
      if (await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, concat(blob.subarray(12)), message)) {
        found.push(key.name);
        break;
      }
    }
  }
  return found;
}

/** RFC 9162 §2.1.4.2: whether `path` proves the tree (m, rootM) a prefix of (n, rootN). */
export async function verifyConsistency(
  m: number,
  n: number,
  rootM: Uint8Array,
  rootN: Uint8Array,
  path: readonly Uint8Array[],
  suite: Suite = 'c2sp',
): Promise<boolean> {
  const hash = hashOf(suite);
  if (!(m >= 1 && m <= n)) return false;
  if (m === n) return path.length === 0 && equal(rootM, rootN);
  if (path.length === 0) return false;
  const node = new Uint8Array([0x01]);
  const hashes = (m & (m - 1)) === 0 ? [rootM, ...path] : [...path];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = hashes[0] as Uint8Array;
  let sr = hashes[0] as Uint8Array;
  for (const c of hashes.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await hash(node, c, fr);
      sr = await hash(node, c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await hash(node, sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, rootM) && equal(sr, rootN);
}
