/**
 * Path templates map the URI a gateway is about to serve to what is being accessed: a camera, an
 * action and, for recorded footage, a time window. A template is a `/`-separated pattern whose
 * segments are literals, placeholders — `{camera}`, `{from}`, `{to}`, and `{any}` for a part that
 * names nothing the decision needs — or both (`{any}_{camera}`, a GB/T 28181 platform's stream
 * name); a last segment `...` matches any remainder (segments, playlists, keys). A placeholder
 * sharing a segment matches one or more characters, as few as the rest of the segment allows.
 * Times in a path are RFC 3339 instants or whole Unix seconds. Templates match decoded paths
 * (gate/request-uri.ts reads the raw URI).
 */
import type { Action } from '../rules/access-rules.js';

export interface PathTemplate {
  readonly template: string;
  readonly action: Action;
  /** The purpose a decision under this template states when the request names none. */
  readonly purpose: string;
  /** A standing reason (e.g. routine monitoring) when the request gives none; unset: one is required. */
  readonly reason?: string;
}

export interface AccessTarget {
  readonly camera: string;
  readonly action: Action;
  readonly window?: { readonly from: string; readonly to: string };
  readonly template: PathTemplate;
  /** How many leading segments the template fixes (all but a closing `...`): the camera's and window's part. */
  readonly fixedSegments: number;
}

type Placeholder = 'camera' | 'from' | 'to' | 'any';

type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'pattern'; pattern: RegExp; names: readonly Placeholder[] }
  | { kind: 'rest' };

export interface CompiledTemplate {
  readonly source: PathTemplate;
  readonly segments: readonly Segment[];
}

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

const PLACEHOLDERS = new Set(['camera', 'from', 'to', 'any']);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A segment holding placeholders: each matches one or more characters, as few as the rest allows. */
function compilePattern(template: string, part: string): Segment {
  const names: Placeholder[] = [];
  let pattern = '^';
  let previousWasPlaceholder = false;
  for (const piece of part.split(/(\{[^{}]*\})/)) {
    if (piece === '') continue;
    const placeholder = /^\{(\w+)\}$/.exec(piece);
    if (placeholder !== null) {
      const name = placeholder[1] as string;
      if (!PLACEHOLDERS.has(name)) throw new TemplateError(`${template}: unknown placeholder {${name}}`);
      if (previousWasPlaceholder) throw new TemplateError(`${template}: placeholders in "${part}" need text between them`);
      names.push(name as Placeholder);
      pattern += '(.+?)';
      previousWasPlaceholder = true;
    } else {
      if (/[{}]/.test(piece)) throw new TemplateError(`${template}: bad segment "${part}"`);
      pattern += escapeRegExp(piece);
      previousWasPlaceholder = false;
    }
  }
  return { kind: 'pattern', pattern: new RegExp(`${pattern}$`, 's'), names };
}

export function compileTemplate(source: PathTemplate): CompiledTemplate {
  if (!source.template.startsWith('/')) throw new TemplateError(`${source.template}: a template starts with "/"`);
  const parts = source.template.slice(1).split('/');
  const segments: Segment[] = parts.map((part, index) => {
    if (part === '...') {
      if (index !== parts.length - 1) throw new TemplateError(`${source.template}: "..." may only end a template`);
      return { kind: 'rest' };
    }
    if (part === '') throw new TemplateError(`${source.template}: bad segment "${part}"`);
    if (part.includes('{')) return compilePattern(source.template, part);
    if (part.includes('}')) throw new TemplateError(`${source.template}: bad segment "${part}"`);
    return { kind: 'literal', text: part };
  });
  const count = (name: Placeholder) =>
    segments.reduce((sum, segment) => sum + (segment.kind === 'pattern' ? segment.names.filter((n) => n === name).length : 0), 0);
  if (count('camera') !== 1) throw new TemplateError(`${source.template}: a template names {camera} exactly once`);
  const windowed = source.action !== 'live';
  if (windowed && (count('from') !== 1 || count('to') !== 1)) {
    throw new TemplateError(`${source.template}: a ${source.action} template names {from} and {to} once each`);
  }
  if (!windowed && count('from') + count('to') > 0) throw new TemplateError(`${source.template}: live view takes no window`);
  return { source, segments };
}

/**
 * The directory a matched template fixes: the path's first `segments` segments with a closing
 * `/` (the camera's and window's part, AccessTarget.fixedSegments), in the form the path is given.
 */
export function fixedPrefix(path: string, segments: number): string {
  return `/${path
    .split('/')
    .slice(1, segments + 1)
    .join('/')}/`;
}

/** An instant in a path: RFC 3339 with a zone, or whole Unix seconds. Undefined when neither. */
export function parsePathTime(text: string): string | undefined {
  if (/^\d{1,12}$/.test(text)) return new Date(Number(text) * 1000).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

/**
 * The first template matching a decoded path (request-uri.ts has read it: no encoded separator, no
 * empty or dot segment), or undefined. Segments are compared as they are: nothing is decoded here.
 */
export function matchPath(templates: readonly CompiledTemplate[], path: string): AccessTarget | undefined {
  if (!path.startsWith('/')) return undefined;
  const parts = path.slice(1).split('/');
  for (const template of templates) {
    const found = matchOne(template, parts);
    if (found !== undefined) return found;
  }
  return undefined;
}

function matchOne(template: CompiledTemplate, parts: readonly string[]): AccessTarget | undefined {
  const values: Record<string, string> = {};
  const { segments } = template;
  const rest = segments.at(-1)?.kind === 'rest';
  const fixed = rest ? segments.length - 1 : segments.length;
  // `...` needs at least one segment after the fixed ones; no segment may be empty or a dot segment.
  if (rest ? parts.length <= fixed : parts.length !== fixed) return undefined;
  if (parts.some((part) => part === '' || part === '.' || part === '..')) return undefined;
  for (let index = 0; index < fixed; index += 1) {
    const segment = segments[index] as Segment;
    const value = parts[index] as string;
    if (segment.kind === 'literal') {
      if (value !== segment.text) return undefined;
    } else if (segment.kind === 'pattern') {
      const found = segment.pattern.exec(value);
      if (found === null) return undefined;
      segment.names.forEach((name, slot) => {
        values[name] = found[slot + 1] as string;
      });
    }
  }
  const camera = values.camera as string;
  if (template.source.action === 'live') return { camera, action: 'live', template: template.source, fixedSegments: fixed };
  const from = parsePathTime(values.from as string);
  const to = parsePathTime(values.to as string);
  if (from === undefined || to === undefined) return undefined;
  return { camera, action: template.source.action, window: { from, to }, template: template.source, fixedSegments: fixed };
}
