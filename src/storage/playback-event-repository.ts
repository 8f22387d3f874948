/** The playback sessions the ledger holds (`playback.started` / `playback.stopped`), by time. */
import type { SessionEvent } from '../rules/reconciliation.js';
import type { Executor } from './transaction.js';

const PAGE = 5000;

/** Every playback entry with from <= time < to, in seq order. */
export async function playbackEvents(db: Executor, period: { readonly from: Date; readonly to: Date }): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('ledger_entries')
      .select(['seq', 'time', 'kind', 'canonical'])
      .where('kind', 'in', ['playback.started', 'playback.stopped'])
      .where('time', '>=', period.from)
      .where('time', '<', period.to)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const { payload } = JSON.parse(Buffer.from(row.canonical).toString('utf8')) as {
        payload: { session_id: string; camera_id: string; decision_id?: string };
      };
      events.push({
        kind: row.kind as SessionEvent['kind'],
        time: row.time.getTime(),
        seq: Number(row.seq),
        sessionId: payload.session_id,
        cameraId: payload.camera_id,
        ...(payload.decision_id === undefined ? {} : { decisionId: payload.decision_id }),
      });
    }
    if (rows.length < PAGE) return events;
    after = Number(rows[rows.length - 1]?.seq);
  }
}
