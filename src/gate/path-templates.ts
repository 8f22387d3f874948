/**
 * Path templates map the URI a gateway is about to serve to what is being accessed: a camera, an
 * action and, for recorded footage, a time window. A template is a `/`-separated pattern whose
 * segments are literals or the placeholders `{camera}`, `{from}` and `{to}`; a last segment `...`
 * matches any remainder (segments, playlists, keys). Times in a path are RFC 3339 instants
 * (percent-encoded or not) or whole Unix seconds.
 */
import type { Action } from '../domain/access-rules.js';

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
}

type Segment = { kind: 'literal'; text: string } | { kind: 'camera' | 'from' | 'to' } | { kind: 'rest' };

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

const PLACEHOLDERS = new Set(['camera', 'from', 'to']);

export function compileTemplate(source: PathTemplate): CompiledTemplate {
  if (!source.template.startsWith('/')) throw new TemplateError(`${source.template}: a template starts with "/"`);
  const parts = source.template.slice(1).split('/');
  const segments: Segment[] = parts.map((part, index) => {
    if (part === '...') {
      if (index !== parts.length - 1) throw new TemplateError(`${source.template}: "..." may only end a template`);
      return { kind: 'rest' };
    }
    const placeholder = /^\{(\w+)\}$/.exec(part);
    if (placeholder !== null) {
      const name = placeholder[1] as string;
      if (!PLACEHOLDERS.has(name)) throw new TemplateError(`${source.template}: unknown placeholder {${name}}`);
      return { kind: name as 'camera' | 'from' | 'to' };
    }
    if (part === '' || /[{}]/.test(part)) throw new TemplateError(`${source.template}: bad segment "${part}"`);
    return { kind: 'literal', text: part };
  });
  const count = (kind: string) => segments.filter((segment) => segment.kind === kind).length;
  if (count('camera') !== 1) throw new TemplateError(`${source.template}: a template names {camera} exactly once`);
  const windowed = source.action !== 'live';
  if (windowed && (count('from') !== 1 || count('to') !== 1)) {
    throw new TemplateError(`${source.template}: a ${source.action} template names {from} and {to} once each`);
  }
  if (!windowed && count('from') + count('to') > 0) throw new TemplateError(`${source.template}: live view takes no window`);
  return { source, segments };
}

/** An instant in a path: RFC 3339 with a zone, or whole Unix seconds. Undefined when neither. */
export function parsePathTime(text: string): string | undefined {
  if (/^\d{1,12}$/.test(text)) return new Date(Number(text) * 1000).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i.test(text)) return undefined;
  const time = new Date(text);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The first template matching the path of `uri` (its query is ignored), or undefined. */
export function matchTarget(templates: readonly CompiledTemplate[], uri: string): AccessTarget | undefined {
  const pathOnly = uri.split(/[?#]/, 1)[0] as string;
  if (!pathOnly.startsWith('/')) return undefined;
  const parts = pathOnly.slice(1).split('/');
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
  // `...` needs at least one segment after the fixed ones, and nothing may be empty or a dot segment.
  if (rest ? parts.length <= fixed : parts.length !== fixed) return undefined;
  for (let index = 0; index < fixed; index += 1) {
    const segment = segments[index] as Segment;
    const value = decode(parts[index] as string);
    if (value === undefined || value === '' || value === '.' || value === '..') return undefined;
    if (segment.kind === 'literal') {
      if (value !== segment.text) return undefined;
    } else if (segment.kind !== 'rest') {
      values[segment.kind] = value;
    }
  }
  if (rest && parts.slice(fixed).some((part) => part === '..' || decode(part) === '..')) return undefined;
  const camera = values.camera as string;
  if (template.source.action === 'live') return { camera, action: 'live', template: template.source };
  const from = parsePathTime(values.from as string);
  const to = parsePathTime(values.to as string);
  if (from === undefined || to === undefined) return undefined;
  return { camera, action: template.source.action, window: { from, to }, template: template.source };
}
