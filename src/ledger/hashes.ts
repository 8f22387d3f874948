/** RFC 9162 §2.1.1 hashing, and the hex and comparison helpers every ledger check uses. */
import { hash as oneShotHash, timingSafeEqual } from 'node:crypto';

export const HASH_SIZE = 32;
export const ZERO_HASH_HEX = '0'.repeat(64);

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** SHA-256 of one buffer through the one-shot API (about twice as fast for small inputs). */
function sha256Of(bytes: Uint8Array): Buffer {
  return oneShotHash('sha256', bytes, 'buffer') as unknown as Buffer;
}

/** SHA-256 of the parts laid end to end. */
export function sha256(...parts: Uint8Array[]): Buffer {
  return sha256Of(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts));
}

/** leaf = SHA-256(0x00 || entry bytes) */
export function leafHash(bytes: Uint8Array): Buffer {
  return sha256Of(Buffer.concat([LEAF_PREFIX, bytes]));
}

/** node = SHA-256(0x01 || left || right) */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256Of(Buffer.concat([NODE_PREFIX, left, right], 65));
}

/** The hash of the empty tree, SHA-256 of no bytes (RFC 9162 §2.1.1). */
export const EMPTY_TREE_HASH = sha256();

export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const HEX_HASH = /^[0-9a-f]{64}$/;

/** A 32-byte hash from 64 lowercase hex digits, or undefined. */
export function parseHexHash(text: unknown): Buffer | undefined {
  return typeof text === 'string' && HEX_HASH.test(text) ? Buffer.from(text, 'hex') : undefined;
}

const BASE64_HASH = /^[A-Za-z0-9+/]{43}=$/;

/** A 32-byte hash from standard base64 (RFC 4648 §4), or undefined. */
export function parseBase64Hash(text: string): Buffer | undefined {
  if (!BASE64_HASH.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === HASH_SIZE && bytes.toString('base64') === text ? bytes : undefined;
}
