/**
 * Reconciles what a gateway served with what was decided (rules/reconciliation.ts), reading the
 * access log as it streams in (its SHA-256 taken over the exact bytes), the decisions its lines
 * name (looked up a batch at a time, each once), and the period's playback sessions; the result is
 * recorded as a `reconciliation.completed` entry before it is answered. A caller reconciles the
 * cameras of the units it acts for; the oversight organ reconciles every camera.
 */
import { createHash, randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { matchPath } from '../gate/path-templates.js';
import type { Receipt } from '../ledger/receipt.js';
import { actorOf, type Caller } from '../rules/caller.js';
import { DomainError } from '../rules/domain-error.js';
import {
  type DecidedAccess,
  FINDING_COUNTS,
  judgeServed,
  judgeSessions,
  PROBLEMS,
  type Problem,
  readLogLine,
  type ServedRequest,
  servedFootage,
} from '../rules/reconciliation.js';
import { cite } from '../rules/regulation-profile.js';
import { actsFor } from '../rules/unit-scope.js';
import { recordedDecisions } from '../storage/decision-repository.js';
import { playbackEvents } from '../storage/playback-event-repository.js';
import type { ServiceContext } from './service-context.js';

/** Findings kept in the entry and the answer; the counts cover them all. */
export const MAX_FINDINGS = 50;
/** Lines judged together: the decisions they name are looked up in one query per batch. */
const BATCH = 20_000;
/** A session started this long before the period's end and not stopped is a finding. */
const SESSION_OPEN_GRACE_MS = 6 * 3_600_000;
/** Playback entries before the period that its stops may pair with. */
const SESSION_LOOKBACK_MS = 86_400_000;
/** Decisions remembered while reading a log; past this, the memory starts again (a hostile log's ids). */
const DECISIONS_REMEMBERED = 500_000;
/** A decision id is a UUID; a longer text names no decision and is not looked up. */
const LONGEST_ID = 64;
/** The longest log line read; longer ones are unreadable. */
const MAX_LINE = 16_384;

export interface ReconciliationInput {
  readonly log?: AsyncIterable<Uint8Array | string>;
  readonly period?: { readonly from: Date; readonly to: Date };
  readonly sessions: boolean;
}

export interface Finding {
  readonly code: string;
  readonly article: string;
  readonly problem: Problem;
  readonly line?: number;
  readonly time?: string;
  readonly path?: string;
  readonly status?: number;
  readonly camera_id?: string;
  readonly decision_id?: string;
  readonly session_id?: string;
  readonly detail?: string;
}

const COUNTS = [
  'lines',
  'unreadable',
  'outside_period',
  'out_of_scope',
  'not_footage',
  'refused',
  'served',
  'reconciled',
  'served_without_decision',
  'served_outside_decision',
  'sessions',
  'sessions_without_decision',
  'sessions_not_stopped',
  'sessions_not_started',
] as const;
type Counts = Record<(typeof COUNTS)[number], number>;

export interface ReconciliationResult {
  readonly reconciliation_id: string;
  readonly period: { readonly from: string; readonly to: string } | null;
  readonly input: { readonly sha256: string; readonly bytes: number } | null;
  readonly counts: Counts;
  readonly findings: Finding[];
  readonly findings_truncated: boolean;
}

export class ReconciliationError extends DomainError<'invalid'> {}

type Context = Pick<ServiceContext, 'db' | 'writer' | 'access' | 'profile' | 'gate'>;

export async function reconcile(
  context: Context,
  caller: Caller,
  input: ReconciliationInput,
): Promise<{ result: ReconciliationResult; receipt: Receipt }> {
  if (input.log === undefined && (input.period === undefined || !input.sessions)) {
    throw new ReconciliationError('invalid', 'give a log, or a period to reconcile its sessions', 'period');
  }
  const snapshot = context.access.current;
  const everything = snapshot.units.get(caller.unit)?.kind === 'oversight';
  const inScope = (camera: string) => {
    const owner = snapshot.cameras.get(camera)?.unit.id;
    return everything || owner === undefined || actsFor(snapshot, caller.unit, owner);
  };
  const counts = Object.fromEntries(COUNTS.map((name) => [name, 0])) as Counts;
  const findings: Finding[] = [];
  /** Counts a problem found, and keeps it while fewer than MAX_FINDINGS are kept. */
  const found = (finding: Omit<Finding, 'code' | 'article'>) => {
    const { code, count } = PROBLEMS[finding.problem];
    counts[count] += 1;
    if (findings.length < MAX_FINDINGS) findings.push({ ...cite(context.profile, code), ...finding });
  };
  const decisions = new Map<string, DecidedAccess | null>();
  const lookUp = async (ids: Iterable<string>) => {
    if (decisions.size > DECISIONS_REMEMBERED) decisions.clear();
    const wanted = [...new Set(ids)].filter((id) => id.length <= LONGEST_ID && !decisions.has(id));
    const found = await recordedDecisions(context.db, wanted);
    for (const id of wanted) {
      const decision = found.get(id);
      decisions.set(
        id,
        decision === undefined
          ? null
          : {
              decidedAt: decision.decidedAt.getTime(),
              cameraId: decision.cameraId,
              action: decision.action,
              window: decision.window,
              allowed: decision.allowed,
              ...(decision.validUntil === undefined ? {} : { validUntil: decision.validUntil.getTime() }),
            },
      );
    }
  };

  let span: { from: number; to: number } | undefined;
  let input_: ReconciliationResult['input'] = null;
  if (input.log !== undefined) {
    const period = input.period === undefined ? undefined : { from: input.period.from.getTime(), to: input.period.to.getTime() };
    const batch: ServedRequest[] = [];
    const judgeBatch = async () => {
      await lookUp(batch.flatMap((request) => (request.decisionId === undefined ? [] : [request.decisionId])));
      for (const request of batch) {
        const target = matchPath(context.gate.profile.paths, request.path);
        if (target === undefined) {
          counts.not_footage += 1;
          continue;
        }
        if (!inScope(target.camera)) {
          counts.out_of_scope += 1;
          continue;
        }
        counts.served += 1;
        const decision = request.decisionId === undefined ? undefined : (decisions.get(request.decisionId) ?? undefined);
        const problem = judgeServed(request, target, decision);
        if (problem === undefined) {
          counts.reconciled += 1;
          continue;
        }
        found({
          problem,
          line: request.line,
          time: new Date(request.startedAt).toISOString(),
          path: request.path,
          status: request.status,
          camera_id: target.camera,
          ...(request.decisionId === undefined ? {} : { decision_id: request.decisionId }),
        });
      }
      batch.length = 0;
    };
    const hash = createHash('sha256');
    const decoder = new StringDecoder('utf8');
    let bytes = 0;
    let pending = '';
    const take = async (text: string) => {
      // Blank lines are not counted, nor numbered.
      if (text.trim() === '') return;
      counts.lines += 1;
      const line = counts.lines;
      const read = text.length > MAX_LINE ? { error: 'longer than a log line may be' } : readLogLine(text, line);
      if ('error' in read) {
        found({ problem: 'unreadable-line', line, detail: read.error });
        return;
      }
      if (period !== undefined && (read.endedAt < period.from || read.startedAt >= period.to)) {
        counts.outside_period += 1;
        return;
      }
      if (!servedFootage(read.status)) {
        counts.refused += 1;
        return;
      }
      span = {
        from: Math.min(span?.from ?? read.startedAt, read.startedAt),
        to: Math.max(span?.to ?? read.endedAt, read.endedAt),
      };
      batch.push(read);
      if (batch.length >= BATCH) await judgeBatch();
    };
    // A line longer than any log line is unreadable; the rest of it, up to its end, is dropped.
    let overlong = false;
    for await (const chunk of input.log) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(buffer);
      bytes += buffer.length;
      const lines = (pending + decoder.write(Buffer.from(buffer))).split('\n');
      pending = lines.pop() ?? '';
      for (const [index, text] of lines.entries()) {
        if (overlong && index === 0) {
          overlong = false;
          continue;
        }
        await take(text.endsWith('\r') ? text.slice(0, -1) : text);
      }
      if (pending.length > MAX_LINE) {
        if (!overlong) await take(pending);
        overlong = true;
        pending = '';
      }
    }
    pending += decoder.end();
    if (pending !== '' && !overlong) await take(pending);
    await judgeBatch();
    input_ = { sha256: hash.digest('hex'), bytes };
  }

  const periodMs = input.period === undefined ? span : { from: input.period.from.getTime(), to: input.period.to.getTime() };
  if (input.sessions && periodMs !== undefined) {
    const events = (
      await playbackEvents(context.db, { from: new Date(periodMs.from - SESSION_LOOKBACK_MS), to: new Date(periodMs.to + 1) })
    ).filter((event) => inScope(event.cameraId));
    await lookUp(events.flatMap((event) => (event.decisionId === undefined ? [] : [event.decisionId])));
    const decided = new Map([...decisions].flatMap(([id, decision]) => (decision === null ? [] : [[id, decision] as const])));
    counts.sessions = new Set(
      events.filter((event) => event.time >= periodMs.from && event.time <= periodMs.to).map((event) => event.sessionId),
    ).size;
    const end = { from: periodMs.from, to: periodMs.to + 1 };
    for (const { problem, event } of judgeSessions(events, decided, end, periodMs.to - SESSION_OPEN_GRACE_MS)) {
      found({
        problem,
        time: new Date(event.time).toISOString(),
        camera_id: event.cameraId,
        session_id: event.sessionId,
        ...(event.decisionId === undefined ? {} : { decision_id: event.decisionId }),
      });
    }
  }

  const result: ReconciliationResult = {
    reconciliation_id: randomUUID(),
    period:
      periodMs === undefined ? null : { from: new Date(periodMs.from).toISOString(), to: new Date(periodMs.to).toISOString() },
    input: input_,
    counts,
    findings,
    findings_truncated: findings.length < FINDING_COUNTS.reduce((sum, name) => sum + counts[name], 0),
  };
  const receipt = await context.writer.record(
    {
      kind: 'reconciliation.completed',
      actor: actorOf(caller),
      payload: { ...result, sources: { access_log: input.log === undefined ? null : 'nginx', sessions: input.sessions } },
    },
    undefined,
    result.reconciliation_id,
  );
  return { result, receipt };
}
