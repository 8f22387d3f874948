/**
 * The C2SP tlog-witness `add-checkpoint` exchange: the request body is "old <size>\n", up to 63
 * consistency proof hashes in base64 one per line, an empty line, then the signed checkpoint. A
 * 409 answer's body (text/x.tlog.size) is the witness's latest cosigned size and a newline.
 */
import { parseBase64Hash } from './hashes.js';

export const MAX_PROOF_LINES = 63;
export const TLOG_SIZE_TYPE = 'text/x.tlog.size';
const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Buffer[];
  /** The signed checkpoint note, signatures included. */
  readonly checkpoint: string;
}

export class WitnessExchangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WitnessExchangeError';
  }
}

function parseSize(text: string, what: string): number {
  if (!DECIMAL.test(text) || !Number.isSafeInteger(Number(text))) throw new WitnessExchangeError(`${what} is not a decimal size`);
  return Number(text);
}

export function formatAddCheckpoint(request: AddCheckpointRequest): string {
  if (request.proof.length > MAX_PROOF_LINES) throw new WitnessExchangeError('a consistency proof has at most 63 hashes');
  const proof = request.proof.map((hash) => `${hash.toString('base64')}\n`).join('');
  return `old ${request.oldSize}\n${proof}\n${request.checkpoint}`;
}

export function parseAddCheckpoint(body: string): AddCheckpointRequest {
  const split = body.indexOf('\n\n');
  if (split < 0) throw new WitnessExchangeError('no empty line before the checkpoint');
  const lines = body.slice(0, split).split('\n');
  const first = lines.shift() as string;
  if (!first.startsWith('old ')) throw new WitnessExchangeError('the first line is not "old <size>"');
  const oldSize = parseSize(first.slice(4), 'the old size');
  if (lines.length > MAX_PROOF_LINES) throw new WitnessExchangeError('more than 63 consistency proof lines');
  const proof = lines.map((line, i) => {
    const hash = parseBase64Hash(line);
    if (hash === undefined) throw new WitnessExchangeError(`proof line ${i + 1} is not a base64 SHA-256 hash`);
    return hash;
  });
  return { oldSize, proof, checkpoint: body.slice(split + 2) };
}

/** The size in a 409 answer. */
export function parseTlogSize(body: string): number {
  if (!body.endsWith('\n')) throw new WitnessExchangeError('a tlog size ends with a newline');
  return parseSize(body.slice(0, -1), 'the witness size');
}
