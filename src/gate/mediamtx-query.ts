/**
 * MediaMTX's playback requests carry their window in the query: `start`, an RFC 3339 instant, and
 * `duration`, in seconds (`90`, `12.5`) or as a Go duration (`1h30m`, `90s`, `1m30.5s`).
 */
import { parsePathTime } from './path-templates.js';

const GO_DURATION = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/;

/** Milliseconds, or undefined when `text` is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const parts = GO_DURATION.exec(text);
    if (parts === null || text === '') return undefined;
    const [, hours, minutes, seconds, millis] = parts.map((part) => (part === undefined ? 0 : Number(part)));
    ms = (hours as number) * 3_600_000 + (minutes as number) * 60_000 + (seconds as number) * 1000 + (millis as number);
  }
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : undefined;
}

export type PlaybackWindow = { readonly from: string; readonly to: string } | { readonly error: string; readonly field: string };

/** Query parameters by name: a read query (gate/request-uri.ts) or URLSearchParams. */
export interface QueryParameters {
  get(name: string): string | null | undefined;
}

export function playbackWindow(query: QueryParameters): PlaybackWindow {
  const start = query.get('start');
  const from = start === null || start === undefined ? undefined : parsePathTime(start);
  if (from === undefined) return { error: 'start must be an RFC 3339 time', field: 'start' };
  const duration = query.get('duration');
  const ms = duration === null || duration === undefined ? undefined : parseDuration(duration);
  if (ms === undefined)
    return { error: 'duration must be a positive number of seconds or a duration such as 90s', field: 'duration' };
  return { from, to: new Date(Date.parse(from) + ms).toISOString() };
}
