import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { sql } from 'kysely';
import t from 'tap';
import { transact } from '../../src/storage/transaction.js';
import { startTestService } from '../helpers/service.js';

t.test('a span per request and per database transaction once an SDK is registered', async (t) => {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.service.app.inject({ method: 'GET', url: '/readyz' });
  await transact(service.service.database.db, 'probe', (trx) => sql`SELECT 1`.execute(trx));
  await t.rejects(transact(service.service.database.db, 'failing', (trx) => sql`SELECT nope`.execute(trx)));
  const spans = exporter.getFinishedSpans();
  const request = spans.find((span) => span.name === 'GET /readyz');
  t.ok(request, 'the request span is named by method and route template');
  t.equal(request?.attributes['http.response.status_code'], 200);
  t.ok(
    spans.find((span) => span.name === 'db.transaction probe'),
    'the transaction span',
  );
  const failing = spans.find((span) => span.name === 'db.transaction failing');
  t.equal(failing?.status.code, 2, 'a failed transaction marks its span as an error');
});
