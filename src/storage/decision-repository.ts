/** Recorded decisions looked up by id, from their `decision.made` entries. */
import type { Executor } from './transaction.js';

/** What a `decision.made` entry says was decided: enough to tell what it let through, and when. */
export interface RecordedDecision {
  readonly decisionId: string;
  readonly decidedAt: Date;
  readonly cameraId: string;
  readonly action: string;
  readonly window: { readonly from: string; readonly to: string } | null;
  readonly allowed: boolean;
  /** Undefined for a deny. */
  readonly validUntil?: Date;
}

const PAGE = 1000;

/** The decisions among `ids` that the ledger records; ids it does not are absent from the map. */
export async function recordedDecisions(db: Executor, ids: readonly string[]): Promise<Map<string, RecordedDecision>> {
  const found = new Map<string, RecordedDecision>();
  for (let start = 0; start < ids.length; start += PAGE) {
    const rows = await db
      .selectFrom('ledger_entries')
      .select(['ref', 'time', 'canonical'])
      .where('kind', '=', 'decision.made')
      .where('ref', 'in', ids.slice(start, start + PAGE))
      .execute();
    for (const row of rows) {
      const { payload } = JSON.parse(Buffer.from(row.canonical).toString('utf8')) as {
        payload: {
          camera_id: string;
          action: string;
          window: { from: string; to: string } | null;
          decision: string;
          valid_until: string | null;
        };
      };
      found.set(row.ref as string, {
        decisionId: row.ref as string,
        decidedAt: row.time,
        cameraId: payload.camera_id,
        action: payload.action,
        window: payload.window ?? null,
        allowed: payload.decision === 'allow',
        ...(payload.valid_until === null ? {} : { validUntil: new Date(payload.valid_until) }),
      });
    }
  }
  return found;
}
