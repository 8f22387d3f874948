/**
 * What the console trusts: a verifier key (fetched from the service or pasted by the auditor) and
 * the latest checkpoint it has verified with it in this browser.
 */
import { text } from './api.js';
import { type Checkpoint, openCheckpoint, parseVerifierKey, type VerifierKey } from './ledger-proof.js';

export interface Trusted {
  readonly keyText: string;
  readonly key: VerifierKey;
  readonly note: string;
  readonly checkpoint: Checkpoint;
}

/** Fetches the latest signed checkpoint and verifies its signature with `keyText` (Web Crypto). */
export async function trustLatest(keyText: string): Promise<Trusted> {
  const key = await parseVerifierKey(keyText);
  const note = await text('/v1/ledger/checkpoint');
  const checkpoint = await openCheckpoint(note, key);
  return { keyText, key, note, checkpoint };
}

export function serviceKey(): Promise<string> {
  return text('/v1/ledger/key').then((key) => key.trim());
}
