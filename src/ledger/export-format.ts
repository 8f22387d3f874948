/**
 * The export: NDJSON, one object per line. A header; each entry; after the entry that completes a
 * checkpoint's tree, that checkpoint; an end line with the count, so a cut file is noticed.
 *
 *   {"type":"header","format":"footage-warden-export/v1","origin":…,"verifier_keys":[…],"from":n,"to":n,
 *    "start":{"frontier":[hex…],"last_leaf":hex|null,"active_key":text|null}}
 *   {"type":"entry","seq":n,"canonical":base64}
 *   {"type":"opening","seq":n,"pointer":"/actor/name","value":…,"salt":hex}   (only in an export for a recipient)
 *   {"type":"checkpoint","tree_size":n,"note":text}
 *   {"type":"end","entries":n}
 */
export const EXPORT_FORMAT = 'footage-warden-export/v1';

export interface ExportHeader {
  readonly type: 'header';
  readonly format: typeof EXPORT_FORMAT;
  readonly origin: string;
  readonly verifier_keys: readonly string[];
  readonly from: number;
  readonly to: number;
  /** The named recipient of opened personal values, or null for an export of commitments only. */
  readonly recipient: string | null;
  /** The verified state the export continues from (empty for from = 0). */
  readonly start: { readonly frontier: readonly string[]; readonly last_leaf: string | null; readonly active_key: string | null };
}

export type ExportLine =
  | ExportHeader
  | { readonly type: 'entry'; readonly seq: number; readonly canonical: string }
  | { readonly type: 'opening'; readonly seq: number; readonly pointer: string; readonly value: unknown; readonly salt: string }
  | { readonly type: 'checkpoint'; readonly tree_size: number; readonly note: string }
  | { readonly type: 'end'; readonly entries: number };

export class ExportFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ExportFormatError';
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Parses one line of an export, refusing anything that is not exactly one of the line types. */
export function parseExportLine(text: string, line: number): ExportLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ExportFormatError(line, 'not JSON');
  }
  const record = value as Record<string, unknown>;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ExportFormatError(line, 'not an object');
  switch (record.type) {
    case 'header': {
      const start = record.start as Record<string, unknown> | undefined;
      if (
        record.format !== EXPORT_FORMAT ||
        typeof record.origin !== 'string' ||
        !Array.isArray(record.verifier_keys) ||
        !record.verifier_keys.every((key) => typeof key === 'string') ||
        !isCount(record.from) ||
        !isCount(record.to) ||
        !(record.recipient === null || typeof record.recipient === 'string') ||
        start === undefined ||
        !Array.isArray(start.frontier) ||
        !start.frontier.every((hash) => typeof hash === 'string' && HEX64.test(hash)) ||
        !(start.last_leaf === null || (typeof start.last_leaf === 'string' && HEX64.test(start.last_leaf))) ||
        !(start.active_key === null || typeof start.active_key === 'string')
      ) {
        throw new ExportFormatError(line, `not a ${EXPORT_FORMAT} header`);
      }
      return value as ExportHeader;
    }
    case 'entry':
      if (!isCount(record.seq) || typeof record.canonical !== 'string' || !BASE64.test(record.canonical)) {
        throw new ExportFormatError(line, 'malformed entry line');
      }
      return { type: 'entry', seq: record.seq, canonical: record.canonical };
    case 'opening':
      if (
        !isCount(record.seq) ||
        typeof record.pointer !== 'string' ||
        !record.pointer.startsWith('/') ||
        !('value' in record) ||
        typeof record.salt !== 'string' ||
        !HEX64.test(record.salt)
      ) {
        throw new ExportFormatError(line, 'malformed opening line');
      }
      return { type: 'opening', seq: record.seq, pointer: record.pointer, value: record.value, salt: record.salt };
    case 'checkpoint':
      if (!isCount(record.tree_size) || typeof record.note !== 'string')
        throw new ExportFormatError(line, 'malformed checkpoint line');
      return { type: 'checkpoint', tree_size: record.tree_size, note: record.note };
    case 'end':
      if (!isCount(record.entries)) throw new ExportFormatError(line, 'malformed end line');
      return { type: 'end', entries: record.entries };
    default:
      throw new ExportFormatError(line, `unknown line type ${JSON.stringify(record.type)}`);
  }
}
