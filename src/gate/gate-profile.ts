/**
 * The gate profile (policies/gate.yaml): the path templates of the URIs that nginx (and ZLMediaKit's
 * on_http_access) asks about, how MediaMTX's paths and actions map to cameras and decisions, and
 * how ZLMediaKit's streams do. Purposes are checked against the
 * regulation profile, so a template cannot state a purpose decisions would refuse as unknown.
 */
import { parse } from 'yaml';
import { ACTIONS } from '../rules/access-rules.js';
import type { RegulationProfile } from '../rules/regulation-profile.js';
import { type CompiledTemplate, compileTemplate, type PathTemplate, TemplateError } from './path-templates.js';

/** MediaMTX actions that are not viewing footage; each is refused unless the profile lets it through. */
export const MEDIAMTX_OTHER_ACTIONS = ['publish', 'api', 'metrics', 'pprof'] as const;
export type MediamtxOtherAction = (typeof MEDIAMTX_OTHER_ACTIONS)[number];

export interface GateProfile {
  readonly paths: readonly CompiledTemplate[];
  readonly mediamtx: {
    /** A template naming {camera} (and literals, or a closing `...`) over MediaMTX's path name. */
    readonly camera: CompiledTemplate;
    readonly livePurpose: string;
    readonly liveReason?: string;
    readonly playbackPurpose: string;
    readonly playbackReason?: string;
    /** Non-viewing actions allowed to an authenticated caller, without a decision. */
    readonly allowedActions: ReadonlySet<MediamtxOtherAction>;
  };
  /** ZLMediaKit's hooks; absent, they refuse everything. */
  readonly zlmediakit?: {
    /** Templates over `/{app}/{stream}`, for on_play (on_http_access reads `paths`). */
    readonly streams: readonly CompiledTemplate[];
    /** The virtual hosts whose streams are footage; another vhost is refused. */
    readonly vhosts: ReadonlySet<string>;
    /** The most seconds ZLMediaKit may remember an allow of on_http_access (never past the decision). */
    readonly cacheSeconds: number;
  };
}

export class GateProfileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GateProfileError';
  }
}

type Mapping = Record<string, unknown>;

function mapping(value: unknown, field: string): Mapping {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new GateProfileError(`${field}: expected a mapping`);
  return value as Mapping;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new GateProfileError(`${field}: expected text`);
  return value;
}

function optionalText(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : text(value, field);
}

function purpose(value: unknown, field: string, regulation: RegulationProfile): string {
  const name = text(value, field);
  if (!regulation.purposes.has(name))
    throw new GateProfileError(`${field}: "${name}" is not a purpose of the regulation profile`);
  return name;
}

function compile(source: PathTemplate, field: string): CompiledTemplate {
  try {
    return compileTemplate(source);
  } catch (error) {
    if (error instanceof TemplateError) throw new GateProfileError(`${field}: ${error.message}`);
    throw error;
  }
}

function templates(list: unknown, name: string, regulation: RegulationProfile): CompiledTemplate[] {
  if (!Array.isArray(list) || list.length === 0) throw new GateProfileError(`${name}: expected a list`);
  return list.map((item, index) => {
    const field = `${name}[${index}]`;
    const entry = mapping(item, field);
    const action = entry.action;
    if (!ACTIONS.includes(action as never)) throw new GateProfileError(`${field}.action: expected one of ${ACTIONS.join(', ')}`);
    const reason = optionalText(entry.reason, `${field}.reason`);
    return compile(
      {
        template: text(entry.template, `${field}.template`),
        action: action as PathTemplate['action'],
        purpose: purpose(entry.purpose, `${field}.purpose`, regulation),
        ...(reason === undefined ? {} : { reason }),
      },
      `${field}.template`,
    );
  });
}

function zlmediakit(value: unknown, regulation: RegulationProfile): GateProfile['zlmediakit'] {
  if (value === undefined) return undefined;
  const section = mapping(value, 'zlmediakit');
  const vhosts = section.vhosts ?? ['__defaultVhost__'];
  if (!Array.isArray(vhosts) || vhosts.length === 0 || vhosts.some((vhost) => typeof vhost !== 'string' || vhost === '')) {
    throw new GateProfileError('zlmediakit.vhosts: expected a list of virtual host names');
  }
  const cacheSeconds = section.cache_seconds ?? 60;
  if (!Number.isInteger(cacheSeconds) || (cacheSeconds as number) < 0 || (cacheSeconds as number) > 3600) {
    throw new GateProfileError('zlmediakit.cache_seconds: expected whole seconds from 0 to 3600');
  }
  return {
    streams: templates(section.streams, 'zlmediakit.streams', regulation),
    vhosts: new Set(vhosts as string[]),
    cacheSeconds: cacheSeconds as number,
  };
}

export function parseGateProfile(yamlText: string, regulation: RegulationProfile): GateProfile {
  const document = mapping(parse(yamlText), 'the gate profile');
  const paths = templates(document.paths, 'paths', regulation);
  const zlm = zlmediakit(document.zlmediakit, regulation);
  const media = mapping(document.mediamtx, 'mediamtx');
  const live = mapping(media.live, 'mediamtx.live');
  const playback = mapping(media.playback, 'mediamtx.playback');
  const allowed = media.allowed_actions ?? [];
  if (!Array.isArray(allowed) || allowed.some((action) => !MEDIAMTX_OTHER_ACTIONS.includes(action as never))) {
    throw new GateProfileError(`mediamtx.allowed_actions: expected a list of ${MEDIAMTX_OTHER_ACTIONS.join(', ')}`);
  }
  const livePurpose = purpose(live.purpose, 'mediamtx.live.purpose', regulation);
  const liveReason = optionalText(live.reason, 'mediamtx.live.reason');
  const playbackReason = optionalText(playback.reason, 'mediamtx.playback.reason');
  return {
    paths,
    mediamtx: {
      camera: compile(
        { template: `/${text(media.path, 'mediamtx.path')}`, action: 'live', purpose: livePurpose },
        'mediamtx.path',
      ),
      livePurpose,
      ...(liveReason === undefined ? {} : { liveReason }),
      playbackPurpose: purpose(playback.purpose, 'mediamtx.playback.purpose', regulation),
      ...(playbackReason === undefined ? {} : { playbackReason }),
      allowedActions: new Set(allowed as MediamtxOtherAction[]),
    },
    ...(zlm === undefined ? {} : { zlmediakit: zlm }),
  };
}
