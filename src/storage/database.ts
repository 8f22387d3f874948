/**
 * Opens the one database the service uses: a PostgreSQL server when a URL is given, otherwise the
 * embedded PGlite (PostgreSQL compiled to WASM) under the data directory. Both are reached through
 * node-postgres, so one Kysely dialect and the same SQL serve both.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { type ConnectionSettings, guardedClient } from './pg-connections.js';
import type { Database } from './schema.js';

export type DatabaseKind = 'postgres' | 'embedded';

/** Stops listening. */
export type Unlisten = () => Promise<void>;

export interface DatabaseHandle {
  /** The primary: every write, and every read that is not an audit read. */
  readonly db: Kysely<Database>;
  /** A hot standby for audit reads (DATABASE_READ_URL), read through `StandbyReads`. */
  readonly standby?: Kysely<Database>;
  readonly kind: DatabaseKind;
  /**
   * Calls `onNotify` for each NOTIFY on `channel`, and `onNotify` again after a lost connection is
   * re-established (notifications sent meanwhile are lost, so listeners must re-read state).
   */
  listen(channel: string, onNotify: () => void): Promise<Unlisten>;
  close(): Promise<void>;
}

const RECONNECT_MS = 1_000;

/** A dedicated connection that LISTENs, reconnecting every second while the server is away. */
async function listenOnServer(url: string, channel: string, onNotify: () => void): Promise<Unlisten> {
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    next.on('error', () => {
      if (client === next) reconnect();
    });
    next.on('end', () => {
      if (client === next) reconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    client = next;
  };
  const reconnect = (): void => {
    client = undefined;
    if (stopped || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(onNotify, reconnect);
    }, RECONNECT_MS);
    timer.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    const current = client;
    client = undefined;
    await current?.end().catch(() => undefined);
  };
}

export interface PostgresOptions {
  readonly url: string;
  /** A hot standby for audit reads. */
  readonly readUrl?: string;
  readonly maxConnections?: number;
  /** The deadline of every query (pg-connections.ts); unset or 0: none. */
  readonly queryTimeoutMs?: number;
}

/**
 * int8 is read as a JavaScript number: ledger sequence numbers and tree sizes stay far below 2^53, and
 * a value beyond it fails loudly rather than rounding.
 */
const INT8_OID = 20;
/** `date` stays YYYY-MM-DD text: a calendar day has no time zone to be shifted by. */
const DATE_OID = 1082;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') {
      return (text: string) => {
        const value = Number(text);
        if (!Number.isSafeInteger(value)) throw new RangeError(`int8 ${text} exceeds 2^53`);
        return value;
      };
    }
    if (oid === DATE_OID && format !== 'binary') return (text: string) => text;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function openPool(url: string, maxConnections: number, settings: ConnectionSettings): { pool: pg.Pool; db: Kysely<Database> } {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    types,
    Client: guardedClient(settings),
  });
  // A client losing its server, idle or held by a transaction between queries, must not crash the
  // process: the next query on it reports the failure.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return { pool, db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }) };
}

export function openPostgresDatabase(options: PostgresOptions): DatabaseHandle {
  const maxConnections = options.maxConnections ?? 10;
  const queryTimeoutMs = options.queryTimeoutMs ?? 0;
  const { db } = openPool(options.url, maxConnections, { queryTimeoutMs, writable: true });
  const standby =
    options.readUrl === undefined ? undefined : openPool(options.readUrl, maxConnections, { queryTimeoutMs, writable: false }).db;
  const listeners = new Set<Unlisten>();
  return {
    db,
    ...(standby === undefined ? {} : { standby }),
    kind: 'postgres',
    async listen(channel, onNotify) {
      const unlisten = await listenOnServer(options.url, channel, onNotify);
      listeners.add(unlisten);
      return async () => {
        listeners.delete(unlisten);
        await unlisten();
      };
    },
    async close() {
      await Promise.all([...listeners].map((unlisten) => unlisten()));
      await Promise.all([db.destroy(), standby?.destroy()]);
    },
  };
}

/** Wraps an open PGlite; closing the handle closes the PGlite too. */
export function wrapEmbeddedDatabase(pglite: PGlite): DatabaseHandle {
  const pool = new pg.Pool({ ...(createPgConfig(pglite) as unknown as pg.PoolConfig), types });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'embedded',
    async listen(channel, onNotify) {
      const unlisten = await pglite.listen(channel, () => onNotify());
      return async () => {
        if (!pglite.closed) await unlisten();
      };
    },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}

export async function openEmbeddedDatabase(dataDir: string): Promise<DatabaseHandle> {
  const directory = path.join(dataDir, 'pgdata');
  await mkdir(directory, { recursive: true, mode: 0o700 });
  return wrapEmbeddedDatabase(await PGlite.create(directory));
}

export interface DatabaseSettings {
  readonly databaseUrl: string | undefined;
  readonly databaseReadUrl?: string | undefined;
  readonly databaseQueryTimeoutMs?: number;
  readonly dataDir: string;
}

export async function openDatabase(options: DatabaseSettings): Promise<DatabaseHandle> {
  if (options.databaseUrl !== undefined) {
    return openPostgresDatabase({
      url: options.databaseUrl,
      ...(options.databaseReadUrl === undefined ? {} : { readUrl: options.databaseReadUrl }),
      ...(options.databaseQueryTimeoutMs === undefined ? {} : { queryTimeoutMs: options.databaseQueryTimeoutMs }),
    });
  }
  return openEmbeddedDatabase(options.dataDir);
}
