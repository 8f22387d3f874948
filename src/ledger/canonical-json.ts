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

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serialiseString(value: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError('a string holds a lone surrogate');
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
      if (Array.isArray(value)) return `[${value.map((item) => serialise(item, depth + 1)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw new CanonicalJsonError('only plain objects, arrays and primitives can be canonicalised');
      }
      const members = Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((key) => `${serialiseString(key)}:${serialise((value as Record<string, unknown>)[key], depth + 1)}`);
      return `{${members.join(',')}}`;
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
