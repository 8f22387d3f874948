/**
 * A migrated PGlite data directory, dumped once per migration set (creating a PGlite takes seconds,
 * loading a dump well under one), so that every test file gets a fresh embedded database quickly.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { wrapEmbeddedDatabase } from '../../src/storage/database.js';
import { migrateToLatest, migrationFolder } from '../../src/storage/migrate.js';

function migrationsDigest(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(migrationFolder).sort()) {
    hash.update(`${name}:${statSync(path.join(migrationFolder, name)).mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

export const templateFile = path.join(os.tmpdir(), `footage-warden-pglite-${migrationsDigest()}.tar`);

export async function ensureTemplate(): Promise<Buffer> {
  try {
    return await readFile(templateFile);
  } catch {
    const pglite = await PGlite.create();
    const database = wrapEmbeddedDatabase(pglite);
    await migrateToLatest(database.db);
    const dump = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
    await database.close();
    await mkdir(path.dirname(templateFile), { recursive: true });
    const temporary = `${templateFile}.${process.pid}`;
    await writeFile(temporary, dump);
    await rename(temporary, templateFile);
    return dump;
  }
}

export async function openTemplateCopy(): Promise<PGlite> {
  const dump = await ensureTemplate();
  return PGlite.create({ loadDataDir: new Blob([dump]) });
}
