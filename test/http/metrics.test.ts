import t from 'tap';
import { boundPort, startMetricsServer } from '../../src/observability/metrics-server.js';
import { startTestService } from '../helpers/service.js';

t.test('/metrics on the main port needs metrics:read and counts requests by route and status', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const { app } = service.service;
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  const operator = await service.token('li', 'district-7');
  const forbidden = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${operator}` } });
  t.equal(forbidden.statusCode, 403);
  t.equal(forbidden.json().code, 'forbidden');
  await app.inject({ method: 'GET', url: '/healthz' });
  const admin = await service.token('admin', 'dev');
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${admin}` } });
  t.equal(metrics.statusCode, 200);
  t.match(metrics.headers['content-type'], /^text\/plain/);
  t.match(metrics.body, /footage_warden_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
  t.match(
    metrics.body,
    /footage_warden_http_request_duration_seconds_bucket\{le="0\.001",method="GET",route="\/metrics",status="403"\}/,
  );
  t.match(metrics.body, /process_cpu_user_seconds_total/);
});

t.test('the separate metrics listener answers GET /metrics without a token and nothing else', async (t) => {
  const service = await startTestService();
  const server = await startMetricsServer(service.service.metrics.registry, '127.0.0.1', 0);
  t.teardown(async () => {
    server.close();
    await service.close();
  });
  const base = `http://127.0.0.1:${boundPort(server)}`;
  const metrics = await fetch(`${base}/metrics`);
  t.equal(metrics.status, 200);
  t.match(await metrics.text(), /footage_warden_http_requests_total/);
  t.equal((await fetch(`${base}/v1/me`)).status, 404);
});
