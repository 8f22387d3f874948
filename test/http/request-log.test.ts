import t from 'tap';
import { startTestService } from '../helpers/service.js';

t.test('one log line per request with id, route, status and latency, and no token anywhere', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const { app } = service.service;
  const token = await service.token('admin', 'dev');
  const expired = await service.token('admin', 'dev', -3600);
  const ok = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });
  await app.inject({ method: 'GET', url: `/v1/me?access_token=${token}`, headers: { authorization: `Bearer ${expired}` } });
  await app.inject({ method: 'GET', url: `/nowhere/${token}` });
  await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token.slice(0, -3)}abc` } });

  const lines = service.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
  const requests = lines.filter((line) => line.msg === 'request');
  t.equal(requests.length, 4, 'one line per request');
  t.match(requests[0], { reqId: ok.headers['x-request-id'], method: 'GET', route: '/v1/me', status: 200, ms: Number });
  t.equal(requests[2]?.route, '(unknown)', 'an unknown route logs no raw path');
  const everything = service.logs.join('');
  for (const secret of [token, expired, token.split('.')[2] as string, expired.split('.')[2] as string]) {
    t.notOk(everything.includes(secret), 'no token or token signature reaches the log');
  }
});
