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
import type { Database } from './schema.js';

export type DatabaseKind = 'postgres' | 'embedded';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly kind: DatabaseKind;
  close(): Promise<void>;
}

export interface PostgresOptions {
  readonly url: string;
  readonly maxConnections?: number;
}

/**
 * int8 is read as a JavaScript number: ledger sequence numbers and tree sizes stay far below 2^53, and
 * a value beyond it fails loudly rather than rounding.
 */
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') {
      return (text: string) => {
        const value = Number(text);
        if (!Number.isSafeInteger(value)) throw new RangeError(`int8 ${text} exceeds 2^53`);
        return value;
      };
    }
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export function openPostgresDatabase(options: PostgresOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: 5_000,
    types,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** Wraps an open PGlite; closing the handle closes the PGlite too. */
export function wrapEmbeddedDatabase(pglite: PGlite): DatabaseHandle {
  const pool = new pg.Pool({ ...(createPgConfig(pglite) as unknown as pg.PoolConfig), types });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'embedded',
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

export async function openDatabase(options: { databaseUrl: string | undefined; dataDir: string }): Promise<DatabaseHandle> {
  if (options.databaseUrl !== undefined) return openPostgresDatabase({ url: options.databaseUrl });
  return openEmbeddedDatabase(options.dataDir);
}
