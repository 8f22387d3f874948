import t from 'tap';
import { startTestService } from '../helpers/service.js';

t.test('healthz and readyz answer without a token while the database is there', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const { app } = service.service;
  t.same((await app.inject({ method: 'GET', url: '/healthz' })).json(), { status: 'ok' });
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ready' });
});

t.test('readyz is 503 problem+json once the database is gone, while healthz stays 200', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close().catch(() => undefined));
  const { app } = service.service;
  await app.ready();
  await service.database.handle.db.destroy();
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 503);
  t.match(ready.headers['content-type'], /^application\/problem\+json/);
  t.match(ready.json(), { code: 'unavailable', detail: 'the database does not answer' });
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});
