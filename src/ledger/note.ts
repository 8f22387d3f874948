/**
 * C2SP signed-note with Ed25519 (signature type 0x01) or, for the `shangmi` suite, SM2 with SM3
 * (signature type 0xff, which the specification leaves to types it assigns no byte, followed by the
 * identifier `sm2-sm3`; sm2-signatures.ts). Key ID = the first 4 bytes of
 * SHA-256(name || 0x0A || type || public key), where for SM2 the type is 0xff ‖ "sm2-sm3" and the
 * key its point 0x04 ‖ X ‖ Y; verifier key = name+hex(key ID)+base64(type || key). A signature line
 * is "— name base64(key ID || signature)" (an SM2 signature DER-encoded) and signs the note text,
 * which ends in a newline; the signature block follows one blank line.
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { sha256 } from './hashes.js';
import { isSm2Key, SM2_SIGNATURE_NAME, sm2Point, sm2PublicKey, sm2Sign, sm2Verify } from './sm2-signatures.js';

const ED25519 = 0x01;
const UNASSIGNED = 0xff;
/** The type bytes of an SM2 key: 0xff, then its identifier. */
const SM2_TYPE = Buffer.concat([Buffer.from([UNASSIGNED]), Buffer.from(SM2_SIGNATURE_NAME, 'ascii')]);
const SIGNATURE_PREFIX = '\u2014 ';
const NAME_PATTERN = /^[\x21-\x7e]+$/;

export interface VerifierKey {
  readonly name: string;
  readonly keyId: Buffer;
  readonly publicKey: KeyObject;
  /** The published text form: name+hex8+base64(type || key). */
  readonly text: string;
  /** What the key's signatures are: the `c2sp` suite's Ed25519, or the `shangmi` suite's SM2. */
  readonly algorithm: 'ed25519' | 'sm2-sm3';
  /** Whether `signature` is this key's signature of `message`. */
  verifies(message: Uint8Array, signature: Uint8Array): boolean;
}

function ed25519Verifies(publicKey: KeyObject) {
  return (message: Uint8Array, signature: Uint8Array) => verify(null, message, publicKey, signature);
}

export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteError';
  }
}

export function isKeyName(name: string): boolean {
  return NAME_PATTERN.test(name) && !name.includes('+');
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new NoteError('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

/** SHA-256(name || 0x0A || type || 32-byte Ed25519 key)[:4]: a signed-note key ID of signature type `type`. */
export function typedKeyId(name: string, type: number, raw: Uint8Array): Buffer {
  return sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([type]), raw).subarray(0, 4);
}

export function keyIdOf(name: string, raw: Uint8Array): Buffer {
  return typedKeyId(name, ED25519, raw);
}

/** The key of a private or public Ed25519 key under `name`, as a signed-note key of signature type `type`. */
export function typedKeyFor(name: string, type: number, key: KeyObject, what = 'key'): VerifierKey {
  if (!isKeyName(name)) throw new NoteError(`a ${what} name is printable ASCII without spaces or "+"`);
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const raw = rawPublicKey(publicKey);
  const keyId = typedKeyId(name, type, raw);
  const text = `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([type]), raw]).toString('base64')}`;
  return { name, keyId, publicKey, text, algorithm: 'ed25519', verifies: ed25519Verifies(publicKey) };
}

function sm2KeyOf(name: string, point: Buffer): VerifierKey {
  const typed = Buffer.concat([SM2_TYPE, point]);
  const keyId = sha256(Buffer.from(`${name}\n`, 'utf8'), typed).subarray(0, 4);
  return {
    name,
    keyId,
    publicKey: sm2PublicKey(point),
    text: `${name}+${keyId.toString('hex')}+${typed.toString('base64')}`,
    algorithm: 'sm2-sm3',
    verifies: (message, signature) => sm2Verify(point, message, signature),
  };
}

/** The verifier key of a private or public Ed25519 or SM2 key under `name`. */
export function verifierKeyFor(name: string, key: KeyObject): VerifierKey {
  if (!isSm2Key(key)) return typedKeyFor(name, ED25519, key);
  if (!isKeyName(name)) throw new NoteError('a key name is printable ASCII without spaces or "+"');
  return sm2KeyOf(name, sm2Point(key));
}

/** Parses name+hex(key ID)+base64(type || 32-byte Ed25519 key) of signature type `type`. */
export function parseTypedKey(text: string, type: number, what: string): VerifierKey {
  // The name and key ID hold no "+"; the base64 key may.
  const trimmed = text.trim();
  const first = trimmed.indexOf('+');
  const second = trimmed.indexOf('+', first + 1);
  if (first < 0 || second < 0) throw new NoteError(`a ${what} is name+keyid+key`);
  const name = trimmed.slice(0, first);
  const hexId = trimmed.slice(first + 1, second);
  const encoded = trimmed.slice(second + 1);
  if (!isKeyName(name)) throw new NoteError(`the ${what} name is not valid`);
  if (!/^[0-9a-f]{8}$/.test(hexId)) throw new NoteError(`the ${what} ID is not 8 hex digits`);
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length !== 33 || bytes[0] !== type || bytes.toString('base64') !== encoded) {
    throw new NoteError(`the ${what} is not an Ed25519 key of signature type 0x0${type.toString(16)}`);
  }
  const raw = bytes.subarray(1);
  const keyId = typedKeyId(name, type, raw);
  if (keyId.toString('hex') !== hexId) throw new NoteError(`the ${what} ID does not match its key`);
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  return {
    name,
    keyId,
    publicKey,
    text: `${name}+${hexId}+${encoded}`,
    algorithm: 'ed25519',
    verifies: ed25519Verifies(publicKey),
  };
}

/** Parses a verifier key: Ed25519 (type 0x01) or SM2 (type 0xff ‖ "sm2-sm3", then the 65-byte point). */
export function parseVerifierKey(text: string): VerifierKey {
  const trimmed = text.trim();
  const encoded = trimmed.slice(trimmed.indexOf('+', trimmed.indexOf('+') + 1) + 1);
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes[0] !== UNASSIGNED) return parseTypedKey(text, ED25519, 'verifier key');
  const [name, hexId] = trimmed.split('+', 2) as [string, string];
  if (!isKeyName(name)) throw new NoteError('the verifier key name is not valid');
  if (
    bytes.toString('base64') !== encoded ||
    bytes.length !== SM2_TYPE.length + 65 ||
    !bytes.subarray(0, SM2_TYPE.length).equals(SM2_TYPE)
  ) {
    throw new NoteError(`the verifier key is not an Ed25519 key, nor an SM2 key of type 0xff "${SM2_SIGNATURE_NAME}"`);
  }
  let key: VerifierKey;
  try {
    key = sm2KeyOf(name, bytes.subarray(SM2_TYPE.length));
  } catch {
    throw new NoteError('the verifier key holds no SM2 point');
  }
  if (key.keyId.toString('hex') !== hexId) throw new NoteError('the verifier key ID does not match its key');
  return key;
}

/** Key IDs of signing keys by name, derived once per key (a checkpoint is signed per batch). */
const signingKeyIds = new WeakMap<KeyObject, Map<string, Buffer>>();

function signingKeyId(name: string, privateKey: KeyObject): Buffer {
  let byName = signingKeyIds.get(privateKey);
  if (byName === undefined) {
    byName = new Map();
    signingKeyIds.set(privateKey, byName);
  }
  let keyId = byName.get(name);
  if (keyId === undefined) {
    keyId = verifierKeyFor(name, privateKey).keyId;
    byName.set(name, keyId);
  }
  return keyId;
}

/** Signs `text` (which must end in a newline) and returns the whole signed note. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  if (!text.endsWith('\n')) throw new NoteError('note text must end with a newline');
  const keyId = signingKeyId(name, privateKey);
  const message = Buffer.from(text, 'utf8');
  const signature = isSm2Key(privateKey) ? sm2Sign(privateKey, message) : sign(null, message, privateKey);
  return `${text}\n${SIGNATURE_PREFIX}${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n`;
}

export interface OpenedNote {
  readonly text: string;
  /** The known key whose signature verified. */
  readonly key: VerifierKey;
}

const MAX_NOTE_BYTES = 1_000_000;

/**
 * Splits a signed note and verifies it against `keys`. Signatures by other keys (witness
 * cosignatures) are ignored; at least one signature by a known key must verify, and none by a known
 * key may fail.
 */
export function openNote(note: string, keys: readonly VerifierKey[]): OpenedNote {
  if (note.length > MAX_NOTE_BYTES) throw new NoteError('the note is too large');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new NoteError('malformed note: no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  let verified: VerifierKey | undefined;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError('malformed signature line');
    const [name, encoded, extra] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name === undefined || encoded === undefined || extra !== undefined) throw new NoteError('malformed signature line');
    const blob = Buffer.from(encoded, 'base64');
    if (blob.length < 5 || blob.toString('base64') !== encoded) throw new NoteError('malformed signature');
    const key = keys.find((candidate) => candidate.name === name && candidate.keyId.equals(blob.subarray(0, 4)));
    if (key === undefined) continue;
    if (!key.verifies(Buffer.from(text, 'utf8'), blob.subarray(4))) {
      throw new NoteError(`the signature by ${key.text} does not verify`);
    }
    verified ??= key;
  }
  if (verified === undefined) throw new NoteError('no signature by a known key');
  return { text, key: verified };
}
