/**
 * Playback sessions tied to the decisions that admitted them. When a media server (MediaMTX,
 * ZLMediaKit) is allowed to serve a session, the session's id is remembered with the decision
 * (storage/gate-session-repository.ts); when the server reports that the session started or
 * stopped, `playback.started` / `playback.stopped` is recorded under that decision, with the bytes
 * served when the server counts them. A report naming a session no allow admitted is recorded
 * without a decision id: reconciliation lists it as a session served without a decision.
 */
import { createHash } from 'node:crypto';
import type { Receipt } from '../ledger/receipt.js';
import {
  closeGateSession,
  findGateSession,
  type GateSession,
  openGateSession,
  startGateSession,
  streamSessions,
} from '../storage/gate-session-repository.js';
import type { Executor } from '../storage/transaction.js';
import type { LedgerWriter } from './ledger-writer.js';

export type SessionGateway = 'mediamtx' | 'zlmediakit';

export interface SessionContext {
  readonly db: Executor;
  readonly writer: LedgerWriter;
}

/** What a media server says about a session, beyond its id. */
export interface SessionReport {
  readonly gateway: SessionGateway;
  readonly sessionId: string;
  /** Who reports when the session is unknown: the server, for the unit whose camera it is. */
  readonly reporter: { readonly subject: string; readonly unit: string };
  /** The camera the server says it served, when it names one (checked against a known session's). */
  readonly cameraId?: string;
  readonly bytesServed?: number;
  readonly durationSeconds?: number;
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A server's session id as the entry's `session_id`: as it is when it fits, else its SHA-256. */
export function entrySessionId(gateway: SessionGateway, sessionId: string): string {
  const id = `${gateway}:${sessionId}`;
  return SESSION_ID.test(id) ? id : `${gateway}:sha256:${createHash('sha256').update(sessionId).digest('hex')}`;
}

/** Remembers the session an allow admitted (with `ifUnknown`, only if no allow admitted it before). */
export async function admitSession(
  context: SessionContext,
  session: Omit<GateSession, 'started'>,
  options: { readonly ifUnknown?: boolean } = {},
): Promise<void> {
  if (options.ifUnknown === true && (await findGateSession(context.db, session.gateway, session.sessionId)) !== undefined) return;
  await openGateSession(context.db, session);
}

function payloadOf(report: SessionReport, session: GateSession | undefined, kind: 'started' | 'stopped') {
  return {
    camera_id: session?.cameraId ?? (report.cameraId as string),
    session_id: entrySessionId(report.gateway, report.sessionId),
    ...(session === undefined ? {} : { decision_id: session.decisionId }),
    gateway: report.gateway,
    ...(kind === 'stopped' && report.bytesServed !== undefined ? { bytes_served: report.bytesServed } : {}),
    ...(kind === 'stopped' && report.durationSeconds !== undefined ? { duration_seconds: report.durationSeconds } : {}),
  };
}

function actorOf(report: SessionReport, session: GateSession | undefined) {
  return session === undefined ? report.reporter : { subject: session.subject, unit: session.unitId };
}

/**
 * Records that a session started: under its decision once (a repeated report records nothing), or,
 * for a session no allow admitted, without one. Undefined when nothing was recorded.
 */
export async function recordSessionStarted(context: SessionContext, report: SessionReport): Promise<Receipt | undefined> {
  const session = await findGateSession(context.db, report.gateway, report.sessionId);
  if (session?.started === true) return undefined;
  if (session === undefined && report.cameraId === undefined) return undefined;
  return context.writer.record(
    { kind: 'playback.started', actor: actorOf(report, session), payload: payloadOf(report, session, 'started') },
    session === undefined ? undefined : async (trx) => void (await startGateSession(trx, report.gateway, report.sessionId)),
  );
}

/** Records that a session stopped and forgets it; a session no allow admitted is recorded without a decision. */
export async function recordSessionStopped(context: SessionContext, report: SessionReport): Promise<Receipt | undefined> {
  const session = await findGateSession(context.db, report.gateway, report.sessionId);
  if (session === undefined && report.cameraId === undefined) return undefined;
  return context.writer.record(
    { kind: 'playback.stopped', actor: actorOf(report, session), payload: payloadOf(report, session, 'stopped') },
    session === undefined ? undefined : async (trx) => void (await closeGateSession(trx, report.gateway, report.sessionId)),
  );
}

/** Records every session still open on a stream as stopped (its server reports no one reads it). */
export async function recordStreamUnwatched(context: SessionContext, gateway: SessionGateway, stream: string): Promise<number> {
  const sessions = await streamSessions(context.db, gateway, stream);
  for (const session of sessions) {
    await context.writer.record(
      {
        kind: 'playback.stopped',
        actor: { subject: session.subject, unit: session.unitId },
        payload: {
          camera_id: session.cameraId,
          session_id: entrySessionId(gateway, session.sessionId),
          decision_id: session.decisionId,
          gateway,
        },
      },
      async (trx) => void (await closeGateSession(trx, gateway, session.sessionId)),
    );
  }
  return sessions.length;
}
