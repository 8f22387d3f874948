/**
 * RFC 9162 §2.1.1 hashing with SHA-256 (the `c2sp` suite's; tree-hash.ts holds both suites), and
 * the hex and comparison helpers every ledger check uses.
 */
import { timingSafeEqual } from 'node:crypto';
import { C2SP_TREE_HASH } from './tree-hash.js';

export const HASH_SIZE = 32;
export const ZERO_HASH_HEX = '0'.repeat(64);

/** SHA-256 of the parts laid end to end. */
export function sha256(...parts: Uint8Array[]): Buffer {
  return C2SP_TREE_HASH.digest(...parts);
}

/** leaf = SHA-256(0x00 || entry bytes) */
export function leafHash(bytes: Uint8Array): Buffer {
  return C2SP_TREE_HASH.leaf(bytes);
}

/** node = SHA-256(0x01 || left || right) */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return C2SP_TREE_HASH.node(left, right);
}

/** The hash of the empty tree, SHA-256 of no bytes (RFC 9162 §2.1.1). */
export const EMPTY_TREE_HASH = C2SP_TREE_HASH.emptyTree;

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
