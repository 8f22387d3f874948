/**
 * Reconciliation: what a gateway served, held against what was decided. The input is the access
 * log in the format docs/integrations/nginx-footage-warden.conf ships (`footage_warden`: one JSON
 * object per request, with the footage path, status, bytes, when it ended, how long it took, and
 * the decision the gate named) and the playback sessions the ledger holds. Every footage request
 * served (2xx or 304) must name a recorded allow for its camera, action and window, valid when the
 * request began; every session must name a recorded allow and have both a start and a stop.
 * Pure: the workflow reads the log and the decisions (workflows/reconciliation.ts).
 */
import type { Action } from './access-rules.js';
import { windowWithin } from './time-window.js';

/** One line of the access log, read. Times are milliseconds since the epoch. */
export interface ServedRequest {
  readonly line: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
  readonly decisionId?: string;
}

/** What a recorded decision let through (storage/decision-repository.ts reads it). */
export interface DecidedAccess {
  readonly decidedAt: number;
  readonly cameraId: string;
  readonly action: string;
  readonly window: { readonly from: string; readonly to: string } | null;
  readonly allowed: boolean;
  readonly validUntil?: number;
}

export interface ServedTarget {
  readonly camera: string;
  readonly action: Action;
  readonly window?: { readonly from: string; readonly to: string };
}

const WITHOUT = 'FOOTAGE_SERVED_WITHOUT_DECISION';
const OUTSIDE = 'FOOTAGE_SERVED_OUTSIDE_DECISION';

/**
 * Why a served request, a session or a log line does not reconcile: the report's code for it, and
 * the count of the result it adds to. A line that cannot be read may hide a request served without
 * a decision.
 */
export const PROBLEMS = {
  'no-decision': { code: WITHOUT, count: 'served_without_decision' },
  'unknown-decision': { code: WITHOUT, count: 'served_without_decision' },
  denied: { code: OUTSIDE, count: 'served_outside_decision' },
  'other-camera': { code: OUTSIDE, count: 'served_outside_decision' },
  'other-action': { code: OUTSIDE, count: 'served_outside_decision' },
  'outside-window': { code: OUTSIDE, count: 'served_outside_decision' },
  'outside-validity': { code: OUTSIDE, count: 'served_outside_decision' },
  'session-without-decision': { code: WITHOUT, count: 'sessions_without_decision' },
  'session-not-stopped': { code: 'SESSION_UNRECONCILED', count: 'sessions_not_stopped' },
  'session-not-started': { code: 'SESSION_UNRECONCILED', count: 'sessions_not_started' },
  'unreadable-line': { code: WITHOUT, count: 'unreadable' },
} as const;
export type Problem = keyof typeof PROBLEMS;
export type ReconciliationCode = (typeof PROBLEMS)[Problem]['code'];
export type FindingCount = (typeof PROBLEMS)[Problem]['count'];

/** The counts of a reconciliation that are findings: each item found is one of them. */
export const FINDING_COUNTS: readonly FindingCount[] = [...new Set(Object.values(PROBLEMS).map((problem) => problem.count))];

/** Text that could not be recorded as it is: a lone UTF-16 surrogate, or NUL. */
const LONE_SURROGATE = /\p{Cs}/u;
const badText = (text: string) => LONE_SURROGATE.test(text) || text.includes('\u0000');

/** How far the gateway's clock and the service's may disagree. */
const CLOCK_SLACK_MS = 2_000;

/** A log line as an object, or why it cannot be read. */
export function readLogLine(text: string, line: number): ServedRequest | { readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not a JSON object' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  const ended = typeof record.msec === 'number' ? record.msec * 1000 : Date.parse(String(record.time));
  if (!Number.isFinite(ended)) return { error: 'msec: not a time' };
  const took = record.request_time ?? 0;
  if (typeof took !== 'number' || !(took >= 0)) return { error: 'request_time: not seconds' };
  const { path, status, bytes, decision, method } = record;
  if (typeof path !== 'string' || !path.startsWith('/')) return { error: 'path: not an absolute path' };
  if (typeof status !== 'number' || !Number.isInteger(status)) return { error: 'status: not a status' };
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0) return { error: 'bytes: not a byte count' };
  if (decision !== undefined && typeof decision !== 'string') return { error: 'decision: not text' };
  if (badText(path) || badText(String(decision ?? '')) || badText(String(method ?? ''))) {
    return { error: 'holds a NUL or a lone surrogate' };
  }
  return {
    line,
    startedAt: ended - took * 1000,
    endedAt: ended,
    method: typeof method === 'string' ? method : 'GET',
    path,
    status,
    bytes,
    ...(decision === undefined || decision === '' ? {} : { decisionId: decision }),
  };
}

/** Whether a response served footage: a success, or a "not modified" that lets a cache serve it. */
export function servedFootage(status: number): boolean {
  return (status >= 200 && status < 300) || status === 304;
}

/** Why a served request does not reconcile with the decision it names, or undefined when it does. */
export function judgeServed(
  request: ServedRequest,
  target: ServedTarget,
  decision: DecidedAccess | undefined,
): Problem | undefined {
  if (request.decisionId === undefined) return 'no-decision';
  if (decision === undefined) return 'unknown-decision';
  if (!decision.allowed || decision.validUntil === undefined) return 'denied';
  if (decision.cameraId !== target.camera) return 'other-camera';
  if (decision.action !== target.action) return 'other-action';
  const windowed =
    target.window === undefined
      ? decision.window === null
      : decision.window !== null && windowWithin(target.window, decision.window);
  if (!windowed) return 'outside-window';
  if (request.startedAt < decision.decidedAt - CLOCK_SLACK_MS || request.startedAt > decision.validUntil + CLOCK_SLACK_MS) {
    return 'outside-validity';
  }
  return undefined;
}

/** A `playback.started` or `playback.stopped` entry, as reconciliation reads it. */
export interface SessionEvent {
  readonly kind: 'playback.started' | 'playback.stopped';
  readonly time: number;
  readonly seq: number;
  readonly sessionId: string;
  readonly cameraId: string;
  readonly decisionId?: string;
}

export interface SessionProblem {
  readonly problem: Problem;
  readonly event: SessionEvent;
}

/**
 * The sessions of a period that do not reconcile: one naming no recorded allow for its camera, a
 * start with no stop by `openUntil` (a session may still run after it), a stop with no start.
 * `events` holds the period's playback entries and those before it that a stop may pair with.
 */
export function judgeSessions(
  events: readonly SessionEvent[],
  decisions: ReadonlyMap<string, DecidedAccess>,
  period: { readonly from: number; readonly to: number },
  openUntil: number,
): SessionProblem[] {
  const problems: SessionProblem[] = [];
  const starts = new Map<string, SessionEvent>();
  const stopped = new Set<string>();
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const inPeriod = event.time >= period.from && event.time < period.to;
    if (event.kind === 'playback.started') starts.set(event.sessionId, event);
    else stopped.add(event.sessionId);
    if (!inPeriod) continue;
    const decision = event.decisionId === undefined ? undefined : decisions.get(event.decisionId);
    const tied = decision !== undefined && decision.allowed && decision.cameraId === event.cameraId;
    // A session is judged once for its decision: at its start, or at its stop when it has none.
    if (!tied && (event.kind === 'playback.started' || !starts.has(event.sessionId))) {
      problems.push({ problem: 'session-without-decision', event });
    }
    if (event.kind === 'playback.stopped' && !starts.has(event.sessionId))
      problems.push({ problem: 'session-not-started', event });
  }
  for (const [session, start] of starts) {
    if (!stopped.has(session) && start.time >= period.from && start.time < Math.min(period.to, openUntil)) {
      problems.push({ problem: 'session-not-stopped', event: start });
    }
  }
  return problems;
}
