/**
 * Verifies an export line by line with the one LogVerifier: no database, no network. Trust comes
 * from the keys the caller pins (or, failing that, the keys the export names) and optionally a
 * trusted checkpoint the log must pass through.
 */
import type { Checkpoint } from './checkpoint.js';
import { type CosignerKey, splitNote, verifyCosignatures } from './cosignature.js';
import { ExportFormatError, type ExportHeader, parseExportLine } from './export-format.js';
import { parseVerifierKey, type VerifierKey } from './note.js';
import { LogVerifier, type VerificationResult } from './verifier.js';

export interface ExportVerificationOptions {
  /** Pinned keys; when empty, the export's own verifier_keys are used. */
  readonly keys: readonly VerifierKey[];
  readonly trusted?: Checkpoint;
  readonly witnesses?: WitnessPolicy;
}

export interface ExportVerification extends VerificationResult {
  readonly origin: string;
  readonly recipient: string | null;
  readonly openingsChecked: number;
  /** With witnesses given: the largest checkpoint size cosigned by the quorum (undefined: none). */
  readonly witnessedSize: number | undefined;
}

/** The witnesses whose cosignatures count, and how many must cosign a checkpoint. */
export interface WitnessPolicy {
  readonly keys: readonly CosignerKey[];
  readonly quorum: number;
}

/** Whether the note carries cosignatures by at least `quorum` of the witnesses (a bad one by a known witness throws). */
export function meetsQuorum(note: string, policy: WitnessPolicy): boolean {
  const { body, lines } = splitNote(note);
  return verifyCosignatures(body, lines, policy.keys).length >= policy.quorum;
}

export async function verifyExportLines(
  lines: AsyncIterable<string>,
  options: ExportVerificationOptions,
): Promise<ExportVerification> {
  let header: ExportHeader | undefined;
  let verifier: LogVerifier | undefined;
  let lineNumber = 0;
  let ended: number | undefined;
  let witnessedSize: number | undefined;
  for await (const text of lines) {
    lineNumber += 1;
    if (text.trim() === '') continue;
    if (ended !== undefined) throw new ExportFormatError(lineNumber, 'data after the end line');
    const line = parseExportLine(text, lineNumber);
    if (header === undefined) {
      if (line.type !== 'header') throw new ExportFormatError(lineNumber, 'the export must start with its header');
      header = line;
      const keys = options.keys.length > 0 ? options.keys : header.verifier_keys.map((key) => parseVerifierKey(key));
      const start = header.start;
      verifier = new LogVerifier({
        origin: header.origin,
        trustedKeys: keys,
        checkNodes: false,
        ...(options.trusted === undefined ? {} : { trusted: options.trusted }),
        ...(header.from === 0
          ? {}
          : {
              start: {
                size: header.from,
                frontier: start.frontier.map((hash) => Buffer.from(hash, 'hex')),
                lastLeaf: start.last_leaf === null ? undefined : Buffer.from(start.last_leaf, 'hex'),
              },
            }),
      });
      if (header.from > 0 && start.active_key !== null) verifier.seedActiveKey(-1, start.active_key);
      continue;
    }
    const active = verifier as LogVerifier;
    switch (line.type) {
      case 'header':
        throw new ExportFormatError(lineNumber, 'a second header');
      case 'entry':
        active.entry(line.seq, Buffer.from(line.canonical, 'base64'));
        break;
      case 'opening':
        active.opening(line.seq, { pointer: line.pointer, value: line.value, salt: Buffer.from(line.salt, 'hex') });
        break;
      case 'checkpoint':
        active.queueCheckpoint(line.note);
        if (options.witnesses !== undefined && meetsQuorum(line.note, options.witnesses)) {
          witnessedSize = Math.max(witnessedSize ?? 0, line.tree_size);
        }
        break;
      case 'end':
        ended = line.entries;
        break;
    }
    if (active.failed) break;
  }
  if (header === undefined || verifier === undefined) throw new ExportFormatError(lineNumber, 'empty export');
  if (!verifier.failed && ended === undefined) {
    throw new ExportFormatError(lineNumber, 'the export has no end line: it was cut short');
  }
  const result = verifier.finish(header.to);
  return {
    ...result,
    origin: header.origin,
    recipient: header.recipient,
    openingsChecked: verifier.openingsChecked,
    witnessedSize: witnessedSize !== undefined && witnessedSize <= result.treeSize ? witnessedSize : undefined,
  };
}
