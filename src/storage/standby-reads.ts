/**
 * Audit reads from a hot standby (DATABASE_READ_URL), never behind the primary.
 *
 * Before a read, the primary's WAL position is taken (`pg_current_wal_lsn()`, one short query);
 * the read then runs on one standby connection once that standby has replayed up to it, so
 * whatever a caller was told before asking (a receipt, a checkpoint, an entry) is there. A standby
 * that does not catch up within the wait, or cannot be reached, is passed over: the read runs on
 * the primary. Every query of one read uses the one connection: behind a load balancer, standbys
 * replay at different speeds.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';

export type ReadSource = 'standby' | 'primary';

export interface StandbyObserver {
  /** A read ran on `source`; `waitedMs`: how long it waited for the standby to replay. */
  served(source: ReadSource, waitedMs: number): void;
}

export interface StandbyReadsOptions {
  readonly primary: Kysely<Database>;
  readonly standby: Kysely<Database> | undefined;
  /** How long a read waits for the standby to replay the primary's position. */
  readonly waitMs: number;
  readonly observer?: StandbyObserver;
}

const POLL_MS = 5;

/** The standby did not reach the position in time; the read goes to the primary. */
class NotReplayed extends Error {}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function primaryPosition(db: Kysely<Database>): Promise<string> {
  const result = await sql<{ lsn: string }>`SELECT pg_current_wal_lsn()::text AS lsn`.execute(db);
  return (result.rows[0] as { lsn: string }).lsn;
}

/** True once the server has replayed `lsn`, or is not in recovery (it then holds all it committed). */
async function replayed(db: Kysely<Database>, lsn: string): Promise<boolean> {
  const result = await sql<{ ok: boolean }>`
    SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn AS ok`.execute(db);
  return result.rows[0]?.ok === true;
}

export class StandbyReads {
  constructor(private readonly options: StandbyReadsOptions) {}

  /** Whether reads may be served by a standby at all. */
  get enabled(): boolean {
    return this.options.standby !== undefined;
  }

  /**
   * Runs `work` on a standby that has replayed everything the primary held when called, or on the
   * primary. `work` only reads; it runs once.
   */
  async read<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const { standby, primary } = this.options;
    if (standby === undefined) return work(primary);
    const started = performance.now();
    const position = await primaryPosition(primary);
    let running = false;
    try {
      return await standby.connection().execute(async (connection) => {
        await this.waitFor(connection, position, started);
        running = true;
        this.options.observer?.served('standby', performance.now() - started);
        return work(connection);
      });
    } catch (error) {
      if (running) throw error;
    }
    this.options.observer?.served('primary', performance.now() - started);
    return work(primary);
  }

  /**
   * The items of `produce`, read as `read` reads: on a standby connection held until the iteration
   * ends (or is abandoned), or on the primary.
   */
  async *stream<T>(produce: (db: Kysely<Database>) => AsyncIterable<T>): AsyncGenerator<T> {
    let release: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    let opened: (db: Kysely<Database>) => void = () => {};
    const connection = new Promise<Kysely<Database>>((resolve) => {
      opened = resolve;
    });
    const holding = this.read(async (db) => {
      opened(db);
      await done;
    });
    const db = await Promise.race([connection, holding.then(() => connection)]);
    try {
      yield* produce(db);
    } finally {
      release();
      await holding;
    }
  }

  private async waitFor(connection: Kysely<Database>, position: string, started: number): Promise<void> {
    for (;;) {
      if (await replayed(connection, position)) return;
      if (performance.now() - started >= this.options.waitMs) throw new NotReplayed();
      await sleep(POLL_MS);
    }
  }
}

/** Bytes of the primary's WAL `standby` has yet to replay; 0 when it is not in recovery. */
export async function standbyLagBytes(primary: Kysely<Database>, standby: Kysely<Database>): Promise<number> {
  const position = await primaryPosition(primary);
  const result = await sql<{ lag: string | null }>`
    SELECT CASE WHEN pg_is_in_recovery()
      THEN pg_wal_lsn_diff(${position}::pg_lsn, pg_last_wal_replay_lsn())
      ELSE 0 END::text AS lag`.execute(standby);
  return Math.max(0, Number(result.rows[0]?.lag ?? 0));
}
