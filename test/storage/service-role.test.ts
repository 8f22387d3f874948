/**
 * The documented production roles: the owner migrates, the service logs in as a member of
 * `footage_warden_service` (docs/operations.md). No manual SQL in between.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { composeService } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { openPostgresDatabase } from '../../src/storage/database.js';
import { openTestDatabase, serverUrl, withAdmin } from '../helpers/database.js';

t.test(
  'a login role in footage_warden_service runs the service on a database its owner migrated',
  { skip: serverUrl() === undefined ? 'needs a PostgreSQL server (DATABASE_URL): roles are per cluster' : false },
  async (t) => {
    const database = await openTestDatabase();
    const owner = database.url as string;
    const login = `fw_login_${randomBytes(4).toString('hex')}`;
    await withAdmin(owner, (client) => client.query(`CREATE ROLE ${login} LOGIN IN ROLE footage_warden_service`));
    const url = new URL(owner);
    url.username = login;
    url.password = '';
    const handle = openPostgresDatabase({ url: url.toString() });
    const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-role-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn' });
    t.teardown(async () => {
      await rm(dataDir, { recursive: true, force: true });
      await handle.close();
      await database.close();
      await withAdmin(serverUrl() as string, (client) => client.query(`DROP ROLE IF EXISTS ${login}`));
    });
    const whoami = await withAdmin(url.toString(), (client) =>
      client.query('SELECT current_user AS name, usesuper FROM pg_user WHERE usename = current_user'),
    );
    t.same(whoami.rows, [{ name: login, usesuper: false }], 'the service connects as the unprivileged login role');

    const service = await composeService(config, createLogger('warn', quiet), { database: handle });
    t.teardown(() => service.close());
    const ready = await service.app.inject({ method: 'GET', url: '/readyz' });
    t.equal(ready.statusCode, 200, `/readyz answers ready: ${ready.body}`);
    const decided = await service.app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' });
    t.equal(decided.statusCode, 200, 'and the ledger it wrote at start is signed');
    const rewrite = await withAdmin(url.toString(), (client) =>
      client.query('UPDATE ledger_entries SET kind = kind WHERE seq = 0').then(
        () => 'allowed',
        (error: { code?: string }) => error.code,
      ),
    );
    t.equal(rewrite, '42501', 'while it still may not rewrite the ledger');
  },
);
