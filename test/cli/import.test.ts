import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { CliIo } from '../../src/cli/command.js';
import { UsageError } from '../../src/cli/command.js';
import { importCommand } from '../../src/cli/import.js';
import { type Environment, loadConfig } from '../../src/config.js';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { openDatabase } from '../../src/storage/database.js';
import { openTestDatabase } from '../helpers/database.js';

function io(env: Environment): CliIo & { out: string } {
  const captured = {
    env,
    out: '',
    stdout(text: string) {
      captured.out += text;
    },
    stderr() {},
    loadConfig: () => loadConfig(env),
  };
  return captured;
}

t.test('import loads a registry file once: the second run changes nothing', async (t) => {
  const database = await openTestDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-import-'));
  t.teardown(async () => {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const env = { NODE_ENV: 'test', DATA_DIR: dataDir, ...(database.url === undefined ? {} : { DATABASE_URL: database.url }) };
  const first = io(env);
  t.equal(await importCommand.run([EXAMPLE_REGISTRY_FILE], first), 0);
  t.equal(first.out, 'created 30, updated 0, unchanged 0\n');
  const second = io(env);
  t.equal(await importCommand.run([EXAMPLE_REGISTRY_FILE], second), 0);
  t.equal(second.out, 'created 0, updated 0, unchanged 30\n', 'idempotent');

  const changed = path.join(dataDir, 'changed.yaml');
  await writeFile(
    changed,
    JSON.stringify({
      cameras: [
        {
          id: 'cam-river-road',
          system_id: 'riverside-streets',
          name: 'River Road junction',
          location: 'moved',
          location_class: 'road',
        },
      ],
    }),
  );
  const third = io(env);
  t.equal(await importCommand.run([changed], third), 0, 'JSON is read too');
  t.equal(third.out, 'created 0, updated 1, unchanged 0\n');

  const handle = await openDatabase(loadConfig(env));
  t.teardown(() => handle.close());
  const kinds = await handle.db.selectFrom('ledger_entries').select(['kind']).execute();
  t.equal(kinds.filter((row) => row.kind === 'registry.changed').length, 21, 'one entry per record change');
  t.equal(kinds.filter((row) => row.kind === 'policy.changed').length, 10, 'one entry per role assignment');
  const camera = await handle.db.selectFrom('cameras').select('location').where('id', '=', 'cam-river-road').executeTakeFirst();
  t.equal(camera?.location, 'moved');
});

t.test('import refuses a bad file before writing anything', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-import-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { NODE_ENV: 'test', DATA_DIR: dataDir };
  const bad = path.join(dataDir, 'bad.yaml');
  await writeFile(bad, 'cameras:\n  - { id: Cam 1, system_id: s, name: n, location: l, location_class: road }\n');
  await t.rejects(importCommand.run([bad], io(env)), { name: 'UsageError', message: /cameras\[0\]\/id: must match pattern/ });
  await writeFile(bad, 'role_assignments:\n  - { subject: "a,b", role: operator, unit_id: u }\n');
  await t.rejects(
    importCommand.run([bad], io(env)),
    { message: /role_assignments\[0\]\/subject: must match pattern/ },
    'checked as the API checks',
  );
  await writeFile(bad, 'lenses: []\n');
  await t.rejects(importCommand.run([bad], io(env)), { message: /unknown sections: lenses/ });
  await writeFile(bad, 'units: [ { id: u, name: n, kind: using_unit ');
  await t.rejects(importCommand.run([bad], io(env)), { message: /not YAML or JSON/ });
  await t.rejects(importCommand.run([path.join(dataDir, 'missing.yaml')], io(env)), UsageError);
  await t.rejects(importCommand.run([], io(env)), UsageError);
});
