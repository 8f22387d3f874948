/**
 * A fast path for verification: one pass over an entry's bytes that accepts them only when they are
 * certainly a valid entry in RFC 8785 canonical form (entry.ts `decodeEntry` would accept them), and
 * reads the fields the in-order checks need. It answers undefined for anything it cannot prove —
 * including every invalid entry, and valid ones that use what it does not handle (`\u` escapes,
 * non-integer or long numbers, keys with escapes or non-ASCII characters, a key.rotated entry) —
 * and the caller then decodes the bytes in full, which decides and names the failure.
 *
 * What it accepts, by RFC 8785 §3.2: no whitespace; object members strictly ascending (ASCII keys,
 * so byte order is UTF-16 code-unit order, and no duplicates); strings as JSON.stringify writes them
 * (raw well-formed UTF-8, and only the escapes \" \\ \b \f \n \r \t); integers of at most 15 digits
 * without leading zeros or "-0" (their ECMAScript form is their digits); nesting no deeper than the
 * canonicaliser's 64 levels.
 */

import { ENTRY_MEMBERS, HEX64_PATTERN, KIND_PATTERN, MAX_ENTRY_BYTES, TIME_PATTERN } from './entry.js';

export interface LeafFields {
  readonly seq: number;
  readonly kind: string;
  /** The `prev` member's 64 hex digits. */
  readonly prev: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_DEPTH = 64;
const MAX_DIGITS = 15;

/** Where a member's key and value lie: bytes [keyStart, keyEnd) hold the key without its quotes. */
interface Member {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

/** The end of a well-formed UTF-8 sequence starting at a byte >= 0x80, or -1. */
function utf8Sequence(b: Uint8Array, i: number): number {
  const lead = b[i] as number;
  const c1 = b[i + 1] ?? 0;
  if (lead < 0xc2) return -1;
  if (lead < 0xe0) return c1 >= 0x80 && c1 <= 0xbf ? i + 2 : -1;
  const c2 = b[i + 2] ?? 0;
  if (lead < 0xf0) {
    // No overlong forms (E0 80..9F) and no surrogates (ED A0..BF).
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return c1 >= low && c1 <= high && c2 >= 0x80 && c2 <= 0xbf ? i + 3 : -1;
  }
  if (lead > 0xf4) return -1;
  const c3 = b[i + 3] ?? 0;
  // No overlong forms (F0 80..8F) and nothing beyond U+10FFFF (F4 90..).
  const low = lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xf4 ? 0x8f : 0xbf;
  return c1 >= low && c1 <= high && c2 >= 0x80 && c2 <= 0xbf && c3 >= 0x80 && c3 <= 0xbf ? i + 4 : -1;
}

/** The end (after the closing quote) of a string starting at its opening quote, or -1. */
function scanString(b: Uint8Array, i: number): number {
  let j = i + 1;
  for (;;) {
    const c = b[j];
    if (c === undefined || c < 0x20) return -1;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) {
      const e = b[j + 1];
      // " \ b f n r t: the escapes JSON.stringify writes (it writes \u only for other controls).
      if (e !== QUOTE && e !== BACKSLASH && e !== 0x62 && e !== 0x66 && e !== 0x6e && e !== 0x72 && e !== 0x74) return -1;
      j += 2;
    } else if (c >= 0x80) {
      j = utf8Sequence(b, j);
      if (j < 0) return -1;
    } else {
      j += 1;
    }
  }
}

function scanInteger(b: Uint8Array, i: number): number {
  let j = b[i] === MINUS ? i + 1 : i;
  const first = b[j];
  if (first === undefined || first < ZERO || first > NINE) return -1;
  if (first === ZERO) {
    if (j > i) return -1; // "-0" is written "0"
    j += 1;
  } else {
    const start = j;
    while (j < b.length && (b[j] as number) >= ZERO && (b[j] as number) <= NINE) j += 1;
    if (j - start > MAX_DIGITS) return -1;
  }
  const next = b[j];
  // A fraction or an exponent: left to the full decoder.
  return next === 0x2e || next === 0x65 || next === 0x45 || (next !== undefined && next >= ZERO && next <= NINE) ? -1 : j;
}

function scanLiteral(b: Uint8Array, i: number, literal: readonly number[]): number {
  for (let k = 0; k < literal.length; k++) if (b[i + k] !== literal[k]) return -1;
  return i + literal.length;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function scanValue(b: Uint8Array, i: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  switch (b[i]) {
    case QUOTE:
      return scanString(b, i);
    case 0x7b:
      return scanObject(b, i, depth);
    case 0x5b:
      return scanArray(b, i, depth);
    case 0x74:
      return scanLiteral(b, i, TRUE);
    case 0x66:
      return scanLiteral(b, i, FALSE);
    case 0x6e:
      return scanLiteral(b, i, NULL);
    default:
      return scanInteger(b, i);
  }
}

function scanArray(b: Uint8Array, i: number, depth: number): number {
  if (b[i + 1] === 0x5d) return i + 2;
  let j = i + 1;
  for (;;) {
    j = scanValue(b, j, depth + 1);
    if (j < 0) return -1;
    if (b[j] === 0x5d) return j + 1;
    if (b[j] !== COMMA) return -1;
    j += 1;
  }
}

/** Whether the ASCII key at [s1, e1) sorts strictly before the one at [s2, e2). */
function keyBefore(b: Uint8Array, s1: number, e1: number, s2: number, e2: number): boolean {
  const n = Math.min(e1 - s1, e2 - s2);
  for (let k = 0; k < n; k++) {
    const x = b[s1 + k] as number;
    const y = b[s2 + k] as number;
    if (x !== y) return x < y;
  }
  return e1 - s1 < e2 - s2;
}

/** Scans an object; `members`, when given, collects its own members. */
function scanObject(b: Uint8Array, i: number, depth: number, members?: Member[]): number {
  if (b[i + 1] === 0x7d) return i + 2;
  let j = i + 1;
  let previousStart = -1;
  let previousEnd = -1;
  for (;;) {
    if (b[j] !== QUOTE) return -1;
    const keyStart = j + 1;
    let keyEnd = keyStart;
    // Keys of printable ASCII without escapes only: their byte order is their code-unit order.
    for (;;) {
      const c = b[keyEnd];
      if (c === undefined || c < 0x20 || c >= 0x7f || c === BACKSLASH) return -1;
      if (c === QUOTE) break;
      keyEnd += 1;
    }
    if (previousStart >= 0 && !keyBefore(b, previousStart, previousEnd, keyStart, keyEnd)) return -1;
    if (b[keyEnd + 1] !== COLON) return -1;
    const valueStart = keyEnd + 2;
    j = scanValue(b, valueStart, depth + 1);
    if (j < 0) return -1;
    members?.push({ keyStart, keyEnd, valueStart, valueEnd: j });
    previousStart = keyStart;
    previousEnd = keyEnd;
    if (b[j] === 0x7d) return j + 1;
    if (b[j] !== COMMA) return -1;
    j += 1;
  }
}

function ascii(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/** A string member's text when it has no escapes and only ASCII, else undefined. */
function plainString(b: Uint8Array, member: Member): string | undefined {
  if (b[member.valueStart] !== QUOTE) return undefined;
  for (let k = member.valueStart + 1; k < member.valueEnd - 1; k++) {
    const c = b[k] as number;
    if (c === BACKSLASH || c >= 0x80) return undefined;
  }
  return ascii(b, member.valueStart + 1, member.valueEnd - 1);
}

/** The entry's members in canonical order. */
const MEMBER_ORDER = [...ENTRY_MEMBERS].sort();

function isStringOrNull(b: Uint8Array, member: Member | undefined): boolean {
  return member !== undefined && (b[member.valueStart] === QUOTE || b[member.valueStart] === 0x6e);
}

/** The entry's seq, kind and prev when its bytes are certainly a valid canonical entry; else undefined. */
export function scanLeafFields(b: Uint8Array): LeafFields | undefined {
  if (b.length > MAX_ENTRY_BYTES || b[0] !== 0x7b) return undefined;
  const members: Member[] = [];
  if (scanObject(b, 0, 0, members) !== b.length || members.length !== MEMBER_ORDER.length) return undefined;
  for (let m = 0; m < members.length; m++) {
    const { keyStart, keyEnd } = members[m] as Member;
    if (ascii(b, keyStart, keyEnd) !== MEMBER_ORDER[m]) return undefined;
  }
  const [actor, kindMember, payload, prevMember, seqMember, timeMember, version] = members as [
    Member,
    Member,
    Member,
    Member,
    Member,
    Member,
    Member,
  ];
  if (version.valueEnd - version.valueStart !== 1 || b[version.valueStart] !== 0x31) return undefined;
  if (b[seqMember.valueStart] === MINUS || b[seqMember.valueStart] === QUOTE) return undefined;
  const seq = Number(ascii(b, seqMember.valueStart, seqMember.valueEnd));
  if (!Number.isSafeInteger(seq)) return undefined;
  const time = plainString(b, timeMember);
  if (time === undefined || !TIME_PATTERN.test(time) || Number.isNaN(Date.parse(time))) return undefined;
  const kind = plainString(b, kindMember);
  if (kind === undefined || !KIND_PATTERN.test(kind) || kind === 'key.rotated') return undefined;
  const prev = plainString(b, prevMember);
  if (prev === undefined || !HEX64_PATTERN.test(prev)) return undefined;
  if (b[payload.valueStart] !== 0x7b || b[actor.valueStart] !== 0x7b) return undefined;
  const actorMembers: Member[] = [];
  scanObject(b, actor.valueStart, 1, actorMembers);
  const named = (name: string) => actorMembers.find((member) => ascii(b, member.keyStart, member.keyEnd) === name);
  if (!isStringOrNull(b, named('unit')) || !isStringOrNull(b, named('subject'))) return undefined;
  return { seq, kind, prev };
}
