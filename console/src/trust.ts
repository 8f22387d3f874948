/**
 * What the console trusts: a verifier key (fetched from the service or pasted by the auditor), the
 * latest checkpoint it has verified with it, and what this browser remembers per origin: the
 * latest checkpoint it verified before (localStorage) and the witness keys the auditor trusts. A
 * new checkpoint is remembered only once it is proven to extend the remembered one.
 */
import { call, text } from './api.js';
import {
  type Checkpoint,
  fromHex,
  openCheckpoint,
  parseVerifierKey,
  type Suite,
  toHex,
  type VerifierKey,
} from './ledger-proof.js';
import { type CosignerKey, cosignedBy, parseCosignerKey, verifyConsistency } from './witness-proof.js';

export interface Remembered {
  readonly size: number;
  /** Hex. */
  readonly root: string;
  readonly verifiedAt: string;
}

export type Continuity =
  | { readonly kind: 'first' }
  | { readonly kind: 'same' }
  | { readonly kind: 'extends'; readonly from: Remembered }
  | { readonly kind: 'unchecked'; readonly from: Remembered; readonly reason: string }
  | { readonly kind: 'contradicts'; readonly from: Remembered; readonly problem: string };

export interface Trusted {
  readonly keyText: string;
  readonly key: VerifierKey;
  readonly note: string;
  readonly checkpoint: Checkpoint;
  readonly continuity: Continuity;
}

const MEMORY = 'footage-warden-checkpoint:';
const WITNESSES = 'footage-warden-witnesses:';

export function remembered(origin: string): Remembered | undefined {
  const raw = localStorage.getItem(MEMORY + origin);
  if (raw === null) return undefined;
  try {
    const parsed = JSON.parse(raw) as Remembered;
    return Number.isSafeInteger(parsed.size) && /^[0-9a-f]{64}$/.test(parsed.root) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function remember(checkpoint: Checkpoint): void {
  const memory: Remembered = { size: checkpoint.size, root: toHex(checkpoint.root), verifiedAt: new Date().toISOString() };
  localStorage.setItem(MEMORY + checkpoint.origin, JSON.stringify(memory));
}

/** Whether the latest checkpoint extends the one this browser verified before. */
async function continuityOf(checkpoint: Checkpoint, suite: Suite): Promise<Continuity> {
  const from = remembered(checkpoint.origin);
  if (from === undefined) return { kind: 'first' };
  const root = fromHex(from.root);
  if (checkpoint.size < from.size) {
    return { kind: 'contradicts', from, problem: `the log now signs only ${checkpoint.size} entries` };
  }
  if (checkpoint.size === from.size) {
    return toHex(checkpoint.root) === from.root
      ? { kind: 'same' }
      : { kind: 'contradicts', from, problem: `the log now signs another root for ${from.size} entries` };
  }
  let hashes: string[];
  try {
    const response = await call(`/v1/ledger/proofs/consistency?from=${from.size}&to=${checkpoint.size}`);
    hashes = ((await response.json()) as { hashes: string[] }).hashes;
  } catch (error) {
    return { kind: 'unchecked', from, reason: (error as Error).message };
  }
  return (await verifyConsistency(from.size, checkpoint.size, root, checkpoint.root, hashes.map(fromHex), suite))
    ? { kind: 'extends', from }
    : { kind: 'contradicts', from, problem: `the log's proof that ${checkpoint.size} entries extend ${from.size} does not hold` };
}

/** Fetches the latest signed checkpoint, verifies it with `keyText`, and checks it against memory. */
export async function trustLatest(keyText: string): Promise<Trusted> {
  const key = await parseVerifierKey(keyText);
  const note = await text('/v1/ledger/checkpoint');
  const checkpoint = await openCheckpoint(note, key);
  const continuity = await continuityOf(checkpoint, key.suite);
  if (continuity.kind !== 'contradicts' && continuity.kind !== 'unchecked') remember(checkpoint);
  return { keyText, key, note, checkpoint, continuity };
}

export function serviceKey(): Promise<string> {
  return text('/v1/ledger/key').then((key) => key.trim());
}

export function savedWitnessKeys(origin: string): string {
  return localStorage.getItem(WITNESSES + origin) ?? '';
}

export interface Witnessed {
  readonly size: number;
  readonly cosigners: readonly string[];
  readonly of: number;
}

/** The latest witnessed checkpoint, opened with the log key, and which of the trusted witnesses cosigned it. */
export async function witnessedBy(trusted: Trusted, keysText: string): Promise<Witnessed | undefined> {
  const texts = keysText
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const keys: CosignerKey[] = [];
  for (const line of texts) keys.push(await parseCosignerKey(line));
  localStorage.setItem(WITNESSES + trusted.checkpoint.origin, texts.join('\n'));
  if (keys.length === 0) return undefined;
  let note: string;
  try {
    note = await text('/v1/ledger/checkpoint?witnessed=true');
  } catch {
    return { size: 0, cosigners: [], of: keys.length };
  }
  const checkpoint = await openCheckpoint(note, trusted.key);
  return { size: checkpoint.size, cosigners: await cosignedBy(note, keys), of: keys.length };
}
