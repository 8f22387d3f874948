/**
 * Ledger entries: JSON objects {v, seq, time, kind, actor, payload, prev} whose exact bytes are their
 * RFC 8785 canonical form. `prev` is the leaf hash of entry seq-1 in lowercase hex (64 zeros for
 * entry 0), which binds the hash chain to the Merkle tree over the same leaves.
 */
import { CanonicalJsonError, canonicalBytes, isCanonicalText } from './canonical-json.js';
import { ZERO_HASH_HEX } from './hashes.js';
import { C2SP_TREE_HASH, type TreeHash } from './tree-hash.js';

export const ENTRY_VERSION = 1;

export interface EntryActor {
  readonly unit: string | null;
  readonly subject: string | null;
  readonly [field: string]: unknown;
}

/** What a writer supplies; seq and prev are assigned under the append lock. */
export interface EntryDraft {
  readonly kind: string;
  readonly time: string;
  readonly actor: EntryActor;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface Entry extends EntryDraft {
  readonly v: typeof ENTRY_VERSION;
  readonly seq: number;
  readonly prev: string;
}

export interface EncodedEntry {
  readonly entry: Entry;
  readonly bytes: Buffer;
  readonly leaf: Buffer;
}

export class EntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntryError';
  }
}

export const KIND_PATTERN = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;
export const TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const HEX64_PATTERN = /^[0-9a-f]{64}$/;
export const ENTRY_MEMBERS: ReadonlySet<string> = new Set(['actor', 'kind', 'payload', 'prev', 'seq', 'time', 'v']);
export const MAX_ENTRY_BYTES = 64 * 1024;
/** Strict: ill-formed UTF-8 is an error, not U+FFFD, and a byte order mark is kept (and refused by JSON.parse). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function entryTime(date: Date): string {
  return date.toISOString();
}

export function encodeEntry(
  draft: EntryDraft,
  seq: number,
  prev: Buffer | undefined,
  hasher: TreeHash = C2SP_TREE_HASH,
): EncodedEntry {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new EntryError('seq is not a non-negative integer');
  if (prev !== undefined && prev.length !== 32) throw new EntryError('prev is not a 32-byte hash');
  checkDraft(draft);
  const entry: Entry = {
    v: ENTRY_VERSION,
    seq,
    time: draft.time,
    kind: draft.kind,
    actor: draft.actor,
    payload: draft.payload,
    prev: prev === undefined ? ZERO_HASH_HEX : prev.toString('hex'),
  };
  const bytes = canonicalBytes(entry);
  if (bytes.length > MAX_ENTRY_BYTES) throw new EntryError(`an entry may hold at most ${MAX_ENTRY_BYTES} bytes`);
  return { entry, bytes, leaf: hasher.leaf(bytes) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The last time that passed the check: a batch's entries all carry the same one. */
let lastValidTime = '';

function checkTime(time: unknown): void {
  if (time === lastValidTime) return;
  if (typeof time !== 'string' || !TIME_PATTERN.test(time) || Number.isNaN(Date.parse(time))) {
    throw new EntryError('time is not an RFC 3339 UTC time with milliseconds');
  }
  lastValidTime = time;
}

/** The members of an entry that a writer supplies. */
function checkDraft(value: Record<string, unknown> | EntryDraft): void {
  checkTime(value.time);
  if (typeof value.kind !== 'string' || !KIND_PATTERN.test(value.kind))
    throw new EntryError('kind is not a dotted lowercase name');
  if (!isRecord(value.actor)) throw new EntryError('actor is not an object');
  for (const member of ['unit', 'subject']) {
    const field = value.actor[member];
    if (field !== null && typeof field !== 'string') throw new EntryError(`actor.${member} is not a string or null`);
  }
  if (!isRecord(value.payload)) throw new EntryError('payload is not an object');
}

function checkEntry(value: unknown): asserts value is Entry {
  if (!isRecord(value)) throw new EntryError('an entry is a JSON object');
  const keys = Object.keys(value);
  if (keys.length !== ENTRY_MEMBERS.size || !keys.every((key) => ENTRY_MEMBERS.has(key))) {
    throw new EntryError(`unexpected entry members: ${keys.sort().join(',')}`);
  }
  if (value.v !== ENTRY_VERSION) throw new EntryError(`unknown entry version ${String(value.v)}`);
  if (!Number.isSafeInteger(value.seq) || (value.seq as number) < 0) throw new EntryError('seq is not a non-negative integer');
  checkDraft(value);
  if (typeof value.prev !== 'string' || !HEX64_PATTERN.test(value.prev))
    throw new EntryError('prev is not 64 lowercase hex digits');
}

/**
 * Parses stored or exported entry bytes. They must be an entry in exactly its canonical form: any
 * other spelling of the same JSON is refused, so the bytes and the meaning cannot drift apart.
 */
export function decodeEntry(bytes: Uint8Array): Entry {
  if (bytes.length > MAX_ENTRY_BYTES) throw new EntryError('the entry is too large');
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new EntryError('the entry bytes are not UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EntryError('the entry bytes are not JSON');
  }
  checkEntry(value);
  let canonical: boolean;
  try {
    canonical = isCanonicalText(text, value);
  } catch (error) {
    throw new EntryError(error instanceof CanonicalJsonError ? error.message : 'the entry cannot be canonicalised');
  }
  // The bytes are well-formed UTF-8 (decoded strictly): equal text means equal bytes.
  if (!canonical) throw new EntryError('the entry bytes are not in RFC 8785 canonical form');
  return value;
}
