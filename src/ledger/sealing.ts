/**
 * Sealed fields: a personal value enters the hashed entry only as a salted commitment
 * {"$sealed": hex(SHA-256(salt || JCS(value)))} with a random 32-byte salt. The value and salt (an
 * "opening") are kept beside the log; destroying them leaves the entry, and every hash over it, as it
 * was. Fields are named by JSON pointers (RFC 6901) in which "*" matches every array element.
 */
import { canonicalBytes } from './canonical-json.js';
import { hashesEqual, parseHexHash } from './hashes.js';
import { pooledRandomBytes } from './random.js';
import { C2SP_TREE_HASH, type TreeHash } from './tree-hash.js';

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

export function commitment(value: unknown, salt: Uint8Array, hasher: TreeHash = C2SP_TREE_HASH): Buffer {
  return hasher.digest(salt, canonicalBytes(value));
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

/** `compute` memoised per pointer: the same few pointers recur for every entry (at most 10,000 kept). */
function perPointer<T>(compute: (pointer: string) => T): (pointer: string) => T {
  const results = new Map<string, T>();
  return (pointer) => {
    let result = results.get(pointer);
    if (result === undefined) {
      result = compute(pointer);
      if (results.size >= 10_000) results.clear();
      results.set(pointer, result);
    }
    return result;
  };
}

/** The reference tokens of a pointer. */
export const splitPointer = perPointer((pointer): readonly string[] => {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map(unescapeToken);
});

/** A pointer written with every token escaped as RFC 6901 §3 asks. */
const escapedPointer = perPointer((pointer) =>
  splitPointer(pointer)
    .map((token) => `/${escapeToken(token)}`)
    .join(''),
);

/** Whether the object members named by `tokens` lead from `node` to a value. */
function holdsValue(node: unknown, tokens: readonly string[]): boolean {
  for (const token of tokens) {
    if (!isPlainObject(node) || !Object.hasOwn(node, token)) return false;
    node = node[token];
  }
  return node !== undefined;
}

/** Every concrete pointer that `pattern` names in `document` and that holds a value. */
function matches(document: unknown, pattern: string): string[] {
  const tokens = splitPointer(pattern);
  // Without "*" a pattern names at most one field.
  if (!tokens.includes('*')) return tokens.length > 0 && holdsValue(document, tokens) ? [escapedPointer(pattern)] : [];
  const found: string[] = [];
  const walk = (node: unknown, depth: number, pointer: string) => {
    const token = tokens[depth] as string;
    const last = depth === tokens.length - 1;
    const visit = (parent: Record<string, unknown> | unknown[], key: string | number) => {
      const child = (parent as Record<string | number, unknown>)[key];
      if (child === undefined) return;
      const next = `${pointer}/${escapeToken(String(key))}`;
      if (last) found.push(next);
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
 * Copy-on-write over a JSON document: `container` returns a shallow copy of the container at a
 * path, copying each container on the way once, so a sealed copy shares every untouched part.
 */
class PathCopier {
  private readonly copies = new Map<object, Record<string, unknown> | unknown[]>();
  readonly root: unknown;

  constructor(document: unknown) {
    this.root = this.copyOf(document as object);
  }

  private copyOf(node: object): Record<string, unknown> | unknown[] {
    let copy = this.copies.get(node);
    if (copy === undefined) {
      copy = Array.isArray(node) ? node.slice() : { ...(node as Record<string, unknown>) };
      this.copies.set(node, copy);
    }
    return copy;
  }

  /**
   * The copy of the container reached from the root by `tokens`, every container on the way copied;
   * undefined when the way leads through a value that is not a container (or is already sealed).
   */
  container(tokens: readonly string[]): Record<string, unknown> | undefined {
    let copy = this.root as Record<string, unknown>;
    for (const token of tokens) {
      const child = copy[token];
      if (child === null || typeof child !== 'object' || isSealed(child)) return undefined;
      const childCopy = this.copyOf(child);
      copy[token] = childCopy;
      copy = childCopy as Record<string, unknown>;
    }
    return copy;
  }
}

/**
 * Replaces every field named by `patterns` with its commitment. Returns a sealed copy (the document
 * is not changed; the copy shares the parts that hold no sealed field) and the openings, each with
 * the index of the pattern that named it; `salt` is injectable for tests and defaults to 32 random
 * bytes per field.
 */
export function sealFields<T>(
  document: T,
  patterns: readonly string[],
  salt: () => Buffer = randomSalt,
  hasher: TreeHash = C2SP_TREE_HASH,
): { sealed: T; openings: (Opening & { pattern: number })[] } {
  const openings: (Opening & { pattern: number })[] = [];
  let copier: PathCopier | undefined;
  patterns.forEach((pattern, index) => {
    for (const pointer of matches(document, pattern)) {
      copier ??= new PathCopier(document);
      // Read from the copy: a field an earlier pattern sealed (or sealed within) is taken as sealed.
      const tokens = splitPointer(pointer);
      const key = tokens[tokens.length - 1] as string;
      const target = copier.container(tokens.slice(0, -1));
      const value = target?.[key];
      if (target === undefined || value === undefined || isSealed(value)) continue;
      const fieldSalt = salt();
      target[key] = { [SEALED_MEMBER]: commitment(value, fieldSalt, hasher).toString('hex') };
      openings.push({ pointer, value, salt: fieldSalt, pattern: index });
    }
  });
  return { sealed: (copier?.root ?? document) as T, openings };
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
export function checkOpening(entry: unknown, opening: Opening, hasher: TreeHash = C2SP_TREE_HASH): boolean {
  const field = valueAt(entry, opening.pointer);
  if (!isSealed(field)) return false;
  const expected = parseHexHash(field[SEALED_MEMBER]);
  return (
    expected !== undefined &&
    opening.salt.length === SALT_SIZE &&
    hashesEqual(expected, commitment(opening.value, opening.salt, hasher))
  );
}

/** An opening of a sealed field together with the data subject whose key seals it. */
export interface SubjectOpening extends Opening {
  readonly subjectId: string;
}
