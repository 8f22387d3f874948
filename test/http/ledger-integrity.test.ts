/**
 * Against a running service: once an insider has cut the log with the checkpoints that named the
 * lost entries, no route reports the log as sound or records anything. Verification, decisions and
 * readiness all answer 503 `ledger-integrity`.
 */
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { truncateTo } from '../helpers/insider.js';
import { appendEvents } from '../helpers/ledger.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;

t.test('a running service whose log was cut answers 503 ledger-integrity to every write and to readiness', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await appendEvents(service.service.appender, 30);
  const { app } = service.service;
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  t.equal((await app.inject({ method: 'POST', url: '/v1/ledger/verifications', headers: admin, payload: {} })).statusCode, 200);

  const size = await service.entryCount();
  await truncateTo(service.database.handle.db, size - 12, true);
  const verification = await app.inject({ method: 'POST', url: '/v1/ledger/verifications', headers: admin, payload: {} });
  t.equal(verification.statusCode, 503, 'no verification reports a cut log as sound');
  t.equal(verification.json().code, 'ledger-integrity');
  t.match(verification.headers['content-type'], /^application\/problem\+json/);

  const window = { from: new Date(Date.now() - 4 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
  const decision = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: { authorization: `Bearer ${await service.token('sup-li', 'riverside-psb')}` },
    payload: { camera_id: 'cam-square-north', action: 'playback', purpose: 'case_handling', reason: 'case 1', window },
  });
  t.equal(decision.statusCode, 503, 'no unrecorded allow');
  t.equal(decision.json().code, 'ledger-integrity');
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).json().code, 'ledger-integrity');
  t.equal(await service.entryCount(), size - 12, 'nothing was recorded after the cut');
  t.equal(service.logs.filter((line) => line.includes('LEDGER INTEGRITY:')).length, 1, 'one alarm line');
  t.match(
    service.logs.find((line) => line.includes('LEDGER INTEGRITY:')),
    /"level":60/,
  );
});
