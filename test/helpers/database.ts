/**
 * A fresh, migrated database per test file: a new database on the server named by DATABASE_URL
 * (dropped afterwards), or an embedded PGlite loaded from the migrated template.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DatabaseHandle, openPostgresDatabase, wrapEmbeddedDatabase } from '../../src/storage/database.js';
import { migrateToLatest } from '../../src/storage/migrate.js';
import { openTemplateCopy } from './pglite-template.js';

export interface TestDatabase {
  readonly handle: DatabaseHandle;
  /** Set when the database is a real server's: a URL other processes can open. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

export function serverUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  return url === undefined || url === '' ? undefined : url;
}

/** Runs `work` on a connection of its own to `url`, closed afterwards. */
export async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabaseOptions {
  readonly maxConnections?: number;
  /** The deadline of every query (pg-connections.ts). */
  readonly queryTimeoutMs?: number;
  /** Serve audit reads through a second pool on the same database, as a standby that is never behind. */
  readonly readFromSelf?: boolean;
}

export async function openTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const base = serverUrl();
  if (base === undefined) {
    const handle = wrapEmbeddedDatabase(await openTemplateCopy());
    return { handle, url: undefined, close: () => handle.close() };
  }
  const name = `fw_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin(base, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = openPostgresDatabase({
    url: url.toString(),
    maxConnections: options.maxConnections ?? 10,
    ...(options.queryTimeoutMs === undefined ? {} : { queryTimeoutMs: options.queryTimeoutMs }),
    ...(options.readFromSelf === true ? { readUrl: url.toString() } : {}),
  });
  await migrateToLatest(handle.db);
  return {
    handle,
    url: url.toString(),
    async close() {
      await handle.close();
      await withAdmin(base, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
