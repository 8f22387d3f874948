/**
 * Reading a gateway's raw request URI so that the gate decides on the very path the gateway serves.
 *
 * A media server decodes a URI its own way: nginx percent-decodes `$uri` (`%2F` becomes a separator),
 * merges slashes and removes dot segments (RFC 3986 §5.2.4) before it maps the path to a file. A
 * gate that matched the raw text could be shown `/live/mine/..%2Ftheirs/` while the server sends
 * `/live/theirs/`. So a URI is accepted only when it reads one way for every decoder:
 *
 * - the path holds only unreserved characters, sub-delimiters other than `;`, `:`, `@`, `/` and
 *   percent-encodings (RFC 3986 §3.3), and no fragment;
 * - a percent-encoding is two hex digits and never encodes `/`, `\`, `.`, `%`, `;`, `?`, `#` or a
 *   control character; the decoded bytes are well-formed UTF-8 (no overlong forms, no surrogates);
 * - no segment is empty (`//`), `.` or `..`;
 * - decoded, it is byte for byte the path the gateway says it serves (nginx's `$uri`), when given;
 * - its query is well-formed the same way, and names each parameter the gate reads at most once.
 *
 * Pure: no I/O. Every refusal names what was ambiguous.
 */

export type UriProblem =
  | 'not-absolute'
  | 'fragment'
  | 'bad-character'
  | 'bad-percent-encoding'
  | 'encoded-delimiter'
  | 'control-character'
  | 'not-utf8'
  | 'empty-segment'
  | 'dot-segment'
  | 'served-differently'
  | 'repeated-parameter';

export type ReadUri =
  | { readonly ok: true; readonly path: string; readonly query: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly problem: UriProblem };

/** The query parameters the gate reads: each may appear at most once. */
export const GATE_PARAMETERS = ['token', 'reason', 'purpose', 'grant'] as const;

// RFC 3986 pchar without ";" (path parameters are read differently by different servers), plus "/".
const PATH_CHARACTER = /^[A-Za-z0-9\-._~!$&'()*+,=:@/]$/;
// Query characters: pchar, "/" and "?", again without ";".
const QUERY_CHARACTER = /^[A-Za-z0-9\-._~!$&'()*+,=:@/?]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;
/** Bytes a path's percent-encoding may not carry: separators, dots, escapes and parameter marks. */
const FORBIDDEN_ENCODED: ReadonlySet<number> = new Set([0x2f, 0x5c, 0x2e, 0x25, 0x3b, 0x3f, 0x23]);
/** A query's percent-encodings may carry any byte but a control character (checked for all). */
const NOTHING_FORBIDDEN: ReadonlySet<number> = new Set();

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isControl(byte: number): boolean {
  return byte < 0x20 || byte === 0x7f;
}

/** Decodes one component's percent-encodings; undefined with the problem when it is ambiguous. */
function decodeComponent(
  text: string,
  allowed: RegExp,
  forbidden: ReadonlySet<number>,
): { bytes: Buffer } | { problem: UriProblem } {
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index] as string;
    if (character === '%') {
      const hex = text.slice(index + 1, index + 3);
      if (!HEX.test(hex)) return { problem: 'bad-percent-encoding' };
      const byte = Number.parseInt(hex, 16);
      if (isControl(byte)) return { problem: 'control-character' };
      if (forbidden.has(byte)) return { problem: 'encoded-delimiter' };
      bytes.push(byte);
      index += 2;
    } else if (allowed.test(character)) {
      bytes.push(character.charCodeAt(0));
    } else {
      return { problem: character.charCodeAt(0) < 0x20 || character === '\u007f' ? 'control-character' : 'bad-character' };
    }
  }
  return { bytes: Buffer.from(bytes) };
}

function decodeText(bytes: Buffer): string | undefined {
  try {
    const text = utf8.decode(bytes);
    // C1 controls decode from valid UTF-8 but are no more a path's than C0 controls are.
    return /[\u0080-\u009f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

function readQuery(raw: string): ReadonlyMap<string, string> | { problem: UriProblem } {
  const query = new Map<string, string>();
  if (raw === '') return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const parts = equals === -1 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    const decoded: string[] = [];
    for (const part of parts) {
      // In a query "+" is a space (application/x-www-form-urlencoded), as URLSearchParams reads it.
      const component = decodeComponent((part as string).replaceAll('+', '%20'), QUERY_CHARACTER, NOTHING_FORBIDDEN);
      if ('problem' in component) return component;
      const text = decodeText(component.bytes);
      if (text === undefined) return { problem: 'not-utf8' };
      decoded.push(text);
    }
    const [name, value] = decoded as [string, string];
    if (query.has(name) && (GATE_PARAMETERS as readonly string[]).includes(name)) return { problem: 'repeated-parameter' };
    if (!query.has(name)) query.set(name, value);
  }
  return query;
}

/**
 * Reads a raw request URI (nginx's `$request_uri`). `served` is the decoded, normalised path the
 * gateway will serve (nginx's `$uri`, its bytes as received in a header); when given, the decoded
 * path must equal it.
 */
export function readRequestUri(raw: string, served?: string): ReadUri {
  if (!raw.startsWith('/')) return { ok: false, problem: 'not-absolute' };
  if (raw.includes('#')) return { ok: false, problem: 'fragment' };
  const mark = raw.indexOf('?');
  const rawPath = mark === -1 ? raw : raw.slice(0, mark);
  const rawQuery = mark === -1 ? '' : raw.slice(mark + 1);
  const segments = rawPath.slice(1).split('/');
  if (segments.some((segment, index) => segment === '' && !(index === 0 && segments.length === 1))) {
    return { ok: false, problem: 'empty-segment' };
  }
  if (segments.some((segment) => segment === '.' || segment === '..')) return { ok: false, problem: 'dot-segment' };
  const path = decodeComponent(rawPath, PATH_CHARACTER, FORBIDDEN_ENCODED);
  if ('problem' in path) return { ok: false, problem: path.problem };
  const text = decodeText(path.bytes);
  if (text === undefined) return { ok: false, problem: 'not-utf8' };
  if (served !== undefined && !Buffer.from(served, 'latin1').equals(path.bytes)) {
    return { ok: false, problem: 'served-differently' };
  }
  const query = readQuery(rawQuery);
  if ('problem' in query) return { ok: false, problem: query.problem as UriProblem };
  return { ok: true, path: text, query: query as ReadonlyMap<string, string> };
}

/**
 * Reads a media server's stream path (MediaMTX's `path`, ZLMediaKit's app/stream), which arrives
 * already decoded: it must be relative, made of path characters without any `%` (a second decoding
 * would read it differently), with no empty or dot segment.
 */
export function readStreamPath(path: string): ReadUri {
  if (path.startsWith('/')) return { ok: false, problem: 'not-absolute' };
  if (path.includes('%')) return { ok: false, problem: 'bad-percent-encoding' };
  if (/[?#]/.test(path)) return { ok: false, problem: 'bad-character' };
  return readRequestUri(`/${path}`);
}

/** The query of a media server's request, read as strictly as a URI's. */
export function readStreamQuery(raw: string): ReadonlyMap<string, string> | { readonly problem: UriProblem } {
  return readQuery(raw.startsWith('?') ? raw.slice(1) : raw);
}

/** A media server's stream path and query, each read strictly. */
export function readStreamRequest(path: string, query: string): ReadUri {
  const read = readStreamPath(path);
  if (!read.ok) return read;
  const parameters = readStreamQuery(query);
  return 'problem' in parameters
    ? { ok: false, problem: parameters.problem as UriProblem }
    : { ...read, query: parameters as ReadonlyMap<string, string> };
}
