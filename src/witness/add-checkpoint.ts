/**
 * A witness's judgement of one `add-checkpoint` request (C2SP tlog-witness), pure: the answer, and
 * the state to persist before answering when it cosigns. The order of the checks is the
 * specification's: unknown origin 404, no verified log signature 403, old size above the
 * checkpoint's 400, old size not the latest cosigned 409 (with that size), a proof that does not
 * verify 422, the same size with another root 409.
 */
import type { KeyObject } from 'node:crypto';
import { checkpointOrigin, parseCheckpointBody } from '../ledger/checkpoint.js';
import { cosign } from '../ledger/cosignature.js';
import { hashesEqual } from '../ledger/hashes.js';
import { type NoteError, openNote, type VerifierKey } from '../ledger/note.js';
import { verifyConsistency } from '../ledger/proofs.js';
import { treeHashOfSigner } from '../ledger/tree-hash.js';
import type { AddCheckpointRequest } from '../ledger/witness-exchange.js';

/** The latest checkpoint a witness cosigned for one origin. */
export interface WitnessedHead {
  readonly size: number;
  readonly root: Buffer;
}

export type Judgement =
  | { readonly status: 200; readonly origin: string; readonly head: WitnessedHead; readonly cosignature: string }
  | { readonly status: 400 | 403 | 404 | 422; readonly reason: string }
  | { readonly status: 409; readonly size: number; readonly reason: string };

export interface Cosigner {
  readonly name: string;
  readonly privateKey: KeyObject;
}

export function judgeAddCheckpoint(
  request: AddCheckpointRequest,
  logKeys: readonly VerifierKey[],
  latest: WitnessedHead | undefined,
  cosigner: Cosigner,
  now: Date,
): Judgement {
  const origin = checkpointOrigin(request.checkpoint);
  const keys = logKeys.filter((key) => key.name === origin);
  if (keys.length === 0) return { status: 404, reason: `unknown log origin ${JSON.stringify(origin)}` };
  let body: string;
  let signedBy: VerifierKey;
  try {
    ({ text: body, key: signedBy } = openNote(request.checkpoint, keys));
  } catch (error) {
    const reason = (error as NoteError).message;
    return { status: reason.startsWith('malformed') || reason.includes('too large') ? 400 : 403, reason };
  }
  let checkpoint: ReturnType<typeof parseCheckpointBody>;
  try {
    checkpoint = parseCheckpointBody(body);
  } catch (error) {
    return { status: 400, reason: (error as Error).message };
  }
  if (request.oldSize > checkpoint.size) return { status: 400, reason: 'the old size exceeds the checkpoint size' };
  const latestSize = latest?.size ?? 0;
  if (request.oldSize !== latestSize) {
    return { status: 409, size: latestSize, reason: `the latest cosigned size is ${latestSize}` };
  }
  if (request.oldSize === 0) {
    if (request.proof.length > 0) return { status: 400, reason: 'the proof must be empty from size 0' };
  } else if (request.oldSize < checkpoint.size) {
    const root = (latest as WitnessedHead).root;
    // The log's key says its suite: an SM2 key signs a `shangmi` (SM3) log.
    const hasher = treeHashOfSigner(signedBy);
    if (!verifyConsistency(request.oldSize, checkpoint.size, root, checkpoint.root, request.proof, hasher)) {
      return { status: 422, reason: 'the consistency proof does not verify' };
    }
  } else if (!hashesEqual((latest as WitnessedHead).root, checkpoint.root)) {
    return { status: 409, size: latestSize, reason: 'another root for the cosigned size' };
  }
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    status: 200,
    origin,
    head: { size: checkpoint.size, root: checkpoint.root },
    // The cosigned message covers the note body as sent, extension lines included.
    cosignature: cosign(body, cosigner.name, cosigner.privateKey, timestamp),
  };
}
