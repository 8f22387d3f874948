/**
 * RFC 8785 JSON Canonicalization Scheme. Numbers are serialised as ECMAScript does (RFC 8785 §3.2.2.3),
 * strings with JSON.stringify's escaping (§3.2.2.2), object members sorted by their UTF-16 code
 * units (§3.2.3). Values JSON cannot carry, and lone surrogates (§3.2.2.2), are refused.
 */
export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

/** Characters JSON.stringify escapes, and surrogates (which may be lone). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 to U+001F are what JSON escapes
const SPECIAL = /["\\\u0000-\u001f\ud800-\udfff]/;

function serialiseString(value: string): string {
  // Most strings hold nothing to escape and no surrogate: quoting them is their JSON form.
  if (!SPECIAL.test(value)) return `"${value}"`;
  if (!(value as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new CanonicalJsonError('a string holds a lone surrogate');
  }
  return JSON.stringify(value);
}

function serialise(value: unknown, depth: number): string {
  if (depth > 64) throw new CanonicalJsonError('nested deeper than 64 levels');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError('a number is not finite');
      return JSON.stringify(value);
    case 'string':
      return serialiseString(value);
    case 'object': {
      if (Array.isArray(value)) {
        let text = '[';
        for (let i = 0; i < value.length; i += 1) {
          if (i > 0) text += ',';
          text += serialise(value[i], depth + 1);
        }
        return `${text}]`;
      }
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw new CanonicalJsonError('only plain objects, arrays and primitives can be canonicalised');
      }
      // The default sort compares UTF-16 code units, as RFC 8785 §3.2.3 asks.
      const keys = Object.keys(value).sort();
      let text = '{';
      for (const key of keys) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        if (text.length > 1) text += ',';
        text += `${serialiseString(key)}:${serialise(member, depth + 1)}`;
      }
      return `${text}}`;
    }
    default:
      throw new CanonicalJsonError(`a ${typeof value} cannot be canonicalised`);
  }
}

export function canonicalize(value: unknown): string {
  return serialise(value, 0);
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

/** Whether parsed JSON holds only well-formed strings and objects whose members are in RFC 8785 order. */
function inCanonicalOrder(value: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (typeof value === 'string') return (value as string & { isWellFormed(): boolean }).isWellFormed();
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every((item) => inCanonicalOrder(item, depth + 1));
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] as string;
    if (i > 0 && !((keys[i - 1] as string) < key)) return false;
    if (!(key as string & { isWellFormed(): boolean }).isWellFormed()) return false;
    if (!inCanonicalOrder((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/**
 * Whether `text` is exactly the canonical form of `value`, its parse. When the parsed members are
 * already in canonical order, JSON.stringify (ECMAScript number and string serialisation, as
 * RFC 8785 §3.2.2 specifies) reproduces the canonical form; otherwise (e.g. integer-like member
 * names, which JavaScript objects reorder) the full canonicalisation decides.
 */
export function isCanonicalText(text: string, value: unknown): boolean {
  if (inCanonicalOrder(value, 0)) return JSON.stringify(value) === text;
  try {
    return canonicalize(value) === text;
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}
