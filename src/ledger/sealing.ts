/**
 * Sealed fields: a personal value enters the hashed entry only as a salted commitment
 * {"$sealed": hex(SHA-256(salt || JCS(value)))} with a random 32-byte salt. The value and salt (an
 * "opening") are kept beside the log; destroying them leaves the entry, and every hash over it, as it
 * was. Fields are named by JSON pointers (RFC 6901) in which "*" matches every array element.
 */
import { canonicalBytes } from './canonical-json.js';
import { hashesEqual, parseHexHash, sha256 } from './hashes.js';
import { pooledRandomBytes } from './random.js';

export const SEALED_MEMBER = '$sealed';
export const SALT_SIZE = 32;

export interface Opening {
  /** A concrete pointer to the sealed field in the entry. */
  readonly pointer: string;
  readonly value: unknown;
  readonly salt: Buffer;
}

/** 32 fresh random bytes: a field's salt. */
export function randomSalt(): Buffer {
  return pooledRandomBytes(SALT_SIZE);
}

/** A copy of a JSON value (what entries are made of). */
function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) copy[key] = cloneJson(member);
    return copy as T;
  }
  return value;
}

export function commitment(value: unknown, salt: Uint8Array): Buffer {
  return sha256(salt, canonicalBytes(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function isSealed(value: unknown): value is { [SEALED_MEMBER]: string } {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value[SEALED_MEMBER] === 'string';
}

/** One reference token of a JSON pointer, escaped (RFC 6901 §3). */
export function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

const splitPointers = new Map<string, readonly string[]>();

/** The reference tokens of a pointer (memoised: the same few pointers recur for every entry). */
export function splitPointer(pointer: string): readonly string[] {
  let tokens = splitPointers.get(pointer);
  if (tokens === undefined) {
    if (pointer === '') tokens = [];
    else if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
    else tokens = pointer.slice(1).split('/').map(unescapeToken);
    if (splitPointers.size >= 10_000) splitPointers.clear();
    splitPointers.set(pointer, tokens);
  }
  return tokens;
}

/** Every concrete (container, key, pointer) that `pattern` names in `document` and that holds a value. */
function matches(
  document: unknown,
  pattern: string,
): { parent: Record<string, unknown> | unknown[]; key: string | number; pointer: string }[] {
  const tokens = splitPointer(pattern);
  const found: { parent: Record<string, unknown> | unknown[]; key: string | number; pointer: string }[] = [];
  const walk = (node: unknown, depth: number, pointer: string) => {
    const token = tokens[depth] as string;
    const last = depth === tokens.length - 1;
    const visit = (parent: Record<string, unknown> | unknown[], key: string | number) => {
      const child = (parent as Record<string | number, unknown>)[key];
      if (child === undefined) return;
      const next = `${pointer}/${escapeToken(String(key))}`;
      if (last) found.push({ parent, key, pointer: next });
      else walk(child, depth + 1, next);
    };
    if (token === '*' && Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) visit(node, i);
    } else if (isPlainObject(node) && Object.hasOwn(node, token)) visit(node, token);
  };
  if (tokens.length > 0) walk(document, 0, '');
  return found;
}

/**
 * Replaces every field named by `patterns` with its commitment. Returns a sealed copy (the document
 * is not changed) and the openings, each with the index of the pattern that named it; `salt` is
 * injectable for tests and defaults to 32 random bytes per field.
 */
export function sealFields<T>(
  document: T,
  patterns: readonly string[],
  salt: () => Buffer = randomSalt,
): { sealed: T; openings: (Opening & { pattern: number })[] } {
  const openings: (Opening & { pattern: number })[] = [];
  let sealed: T | undefined;
  patterns.forEach((pattern, index) => {
    // Copied on the first field found: most entries have none of their kind's optional fields.
    if (sealed === undefined && matches(document, pattern).length === 0) return;
    sealed ??= cloneJson(document);
    for (const { parent, key, pointer } of matches(sealed, pattern)) {
      const value = (parent as Record<string | number, unknown>)[key];
      if (isSealed(value)) continue;
      const fieldSalt = salt();
      (parent as Record<string | number, unknown>)[key] = { [SEALED_MEMBER]: commitment(value, fieldSalt).toString('hex') };
      openings.push({ pointer, value, salt: fieldSalt, pattern: index });
    }
  });
  return { sealed: sealed ?? document, openings };
}

/** The value at a concrete pointer, or undefined. */
export function valueAt(document: unknown, pointer: string): unknown {
  let node = document;
  for (const token of splitPointer(pointer)) {
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(token)) node = node[Number(token)];
    else if (isPlainObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

/** Whether `opening` opens the sealed field it points at in `entry`. */
export function checkOpening(entry: unknown, opening: Opening): boolean {
  const field = valueAt(entry, opening.pointer);
  if (!isSealed(field)) return false;
  const expected = parseHexHash(field[SEALED_MEMBER]);
  return (
    expected !== undefined && opening.salt.length === SALT_SIZE && hashesEqual(expected, commitment(opening.value, opening.salt))
  );
}
