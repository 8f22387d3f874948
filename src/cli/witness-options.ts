/**
 * The key options of the verifying commands: `--key VKEY` (the log's verifier keys), and
 * `--witness VKEY` (repeatable) with `--witness-quorum N`.
 */
import { parseCosignerKey } from '../ledger/cosignature.js';
import { parseVerifierKey, type VerifierKey } from '../ledger/note.js';
import type { WitnessPolicy } from '../ledger/verify-export.js';
import { UsageError } from './command.js';

export const WITNESS_OPTIONS = {
  witness: { type: 'string', multiple: true },
  'witness-quorum': { type: 'string' },
} as const;

export function witnessPolicy(keys: readonly string[] | undefined, quorum: string | undefined): WitnessPolicy | undefined {
  if (keys === undefined || keys.length === 0) {
    if (quorum !== undefined) throw new UsageError('--witness-quorum needs --witness');
    return undefined;
  }
  const parsed = keys.map((key) => {
    try {
      return parseCosignerKey(key);
    } catch (error) {
      throw new UsageError(`--witness: ${(error as Error).message}`);
    }
  });
  const count = quorum === undefined ? parsed.length : Number(quorum);
  if (!Number.isInteger(count) || count < 1 || count > parsed.length) {
    throw new UsageError(`--witness-quorum must be 1 to ${parsed.length} (the number of --witness keys)`);
  }
  return { keys: parsed, quorum: count };
}

/** The log verifier keys of `--key`; a bad one is a usage error naming the option. */
export function logKeys(texts: readonly string[] | undefined): VerifierKey[] {
  try {
    return (texts ?? []).map((key) => parseVerifierKey(key));
  } catch (error) {
    throw new UsageError(`--key: ${(error as Error).message}`);
  }
}
