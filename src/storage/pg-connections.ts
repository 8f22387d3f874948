/**
 * The connections the service opens to a PostgreSQL server (docs/operations.md, "Connections").
 *
 * - A connection that must write is refused when the server answers read-only (a hot standby, or
 *   `default_transaction_read_only`): `DatabaseReadOnlyError`, so nothing is sent to a server that
 *   cannot record it and the pool tries again on the next query.
 * - Every query has a deadline. Past it the connection is closed, the query fails with
 *   `DatabaseTimeoutError` and the pool drops the connection. Closing is the only safe way out: a
 *   cancelled COMMIT that waits for a synchronous standby would be reported as committed.
 * - TCP keepalive is on, so a server that vanished without closing its sockets is noticed.
 */
import pg from 'pg';

/** The server answers read-only (SQLSTATE 25006): it is not the primary. */
export class DatabaseReadOnlyError extends Error {
  override readonly name = 'DatabaseReadOnlyError';
  readonly code = '25006';
  constructor() {
    super('the database answers read-only: DATABASE_URL must reach the primary');
  }
}

/** A query outlived its deadline; its connection was closed (SQLSTATE 57014, query_canceled). */
export class DatabaseTimeoutError extends Error {
  override readonly name = 'DatabaseTimeoutError';
  readonly code = '57014';
  constructor(readonly timeoutMs: number) {
    super(`the database did not answer within ${timeoutMs} ms; the connection was closed`);
  }
}

export interface ConnectionSettings {
  /** The longest any one query may take, commit included; 0 for none. */
  readonly queryTimeoutMs: number;
  /** Refuse servers that answer read-only. */
  readonly writable: boolean;
}

type Callback = (error: Error | null) => void;
type QueryFunction = (this: pg.Client, ...args: unknown[]) => unknown;

interface Internals {
  readonly connection?: { readonly stream?: { destroy(error?: Error): void } };
}

/** A pg.Client class applying `settings` to every connection a pool opens with it. */
export function guardedClient(settings: ConnectionSettings): typeof pg.Client {
  const query = pg.Client.prototype.query as QueryFunction;
  class GuardedClient extends pg.Client {
    private timedOut: DatabaseTimeoutError | undefined;

    override connect(): Promise<pg.Client>;
    override connect(callback: Callback): void;
    override connect(callback?: Callback): Promise<pg.Client> | undefined {
      const connected = this.connectChecked();
      if (callback === undefined) return connected;
      connected.then(
        () => callback(null),
        (error: Error) => callback(error),
      );
      return undefined;
    }

    private async connectChecked(): Promise<pg.Client> {
      await super.connect();
      if (!settings.writable) return this;
      const result = await this.timed(query.call(this, 'SHOW transaction_read_only') as Promise<pg.QueryResult>);
      if (result.rows[0]?.transaction_read_only !== 'off') {
        await this.end().catch(() => undefined);
        throw new DatabaseReadOnlyError();
      }
      return this;
    }

    // The signatures of pg.Client.query are many; every form returning a promise gets the deadline.
    override query(...args: unknown[]): never {
      const result = query.apply(this, args);
      return (result instanceof Promise ? this.timed(result) : result) as never;
    }

    private timed<T>(pending: Promise<T>): Promise<T> {
      if (settings.queryTimeoutMs <= 0) return pending;
      const timer = setTimeout(() => {
        this.timedOut = new DatabaseTimeoutError(settings.queryTimeoutMs);
        (this as unknown as Internals).connection?.stream?.destroy();
      }, settings.queryTimeoutMs);
      return pending.then(
        (value) => {
          clearTimeout(timer);
          return value;
        },
        (error: unknown) => {
          clearTimeout(timer);
          throw this.timedOut ?? error;
        },
      );
    }
  }
  return GuardedClient as unknown as typeof pg.Client;
}
