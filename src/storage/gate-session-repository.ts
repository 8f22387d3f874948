/** The media servers' sessions that an allow admitted (gate_sessions), until they stop. */
import { sql } from 'kysely';
import type { Executor } from './transaction.js';

export interface GateSession {
  readonly gateway: string;
  readonly sessionId: string;
  readonly decisionId: string;
  readonly cameraId: string;
  readonly subject: string;
  readonly unitId: string;
  readonly stream: string;
  readonly started: boolean;
}

/** A session not stopped after this long is forgotten (its start, if reported, stays recorded). */
const FORGOTTEN_AFTER = '2 days';

type Row = {
  gateway: string;
  session_id: string;
  decision_id: string;
  camera_id: string;
  subject: string;
  unit_id: string;
  stream: string;
  started: boolean;
};

function session(row: Row): GateSession {
  return {
    gateway: row.gateway,
    sessionId: row.session_id,
    decisionId: row.decision_id,
    cameraId: row.camera_id,
    subject: row.subject,
    unitId: row.unit_id,
    stream: row.stream,
    started: row.started,
  };
}

const COLUMNS = ['gateway', 'session_id', 'decision_id', 'camera_id', 'subject', 'unit_id', 'stream', 'started'] as const;

/** Remembers the session an allow admitted; a server reusing the id replaces the older session. */
export async function openGateSession(db: Executor, opened: Omit<GateSession, 'started'>): Promise<void> {
  const row = {
    gateway: opened.gateway,
    session_id: opened.sessionId,
    decision_id: opened.decisionId,
    camera_id: opened.cameraId,
    subject: opened.subject,
    unit_id: opened.unitId,
    stream: opened.stream,
  };
  await db
    .insertInto('gate_sessions')
    .values(row)
    .onConflict((conflict) =>
      conflict.columns(['gateway', 'session_id']).doUpdateSet({ ...row, started: false, opened_at: sql`now()` } as never),
    )
    .execute();
  await db.deleteFrom('gate_sessions').where('opened_at', '<', sql<Date>`now() - ${FORGOTTEN_AFTER}::interval`).execute();
}

export async function findGateSession(db: Executor, gateway: string, sessionId: string): Promise<GateSession | undefined> {
  const row = await db
    .selectFrom('gate_sessions')
    .select(COLUMNS)
    .where('gateway', '=', gateway)
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return row === undefined ? undefined : session(row);
}

/** Marks a session started; the session if this call started it, undefined if unknown or started before. */
export async function startGateSession(db: Executor, gateway: string, sessionId: string): Promise<GateSession | undefined> {
  const row = await db
    .updateTable('gate_sessions')
    .set({ started: true })
    .where('gateway', '=', gateway)
    .where('session_id', '=', sessionId)
    .where('started', '=', false)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row === undefined ? undefined : session(row);
}

/** Forgets a stopped session; the session, or undefined if unknown (or already stopped). */
export async function closeGateSession(db: Executor, gateway: string, sessionId: string): Promise<GateSession | undefined> {
  const row = await db
    .deleteFrom('gate_sessions')
    .where('gateway', '=', gateway)
    .where('session_id', '=', sessionId)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row === undefined ? undefined : session(row);
}

/** The sessions still open on a stream. */
export async function streamSessions(db: Executor, gateway: string, stream: string): Promise<GateSession[]> {
  const rows = await db
    .selectFrom('gate_sessions')
    .select(COLUMNS)
    .where('gateway', '=', gateway)
    .where('stream', '=', stream)
    .execute();
  return rows.map(session);
}
