import { readFile } from 'node:fs/promises';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;

t.test('decision, request, transfer and registry flows leave no personal value in the log lines or the spans', async (t) => {
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  t.teardown(() => trace.disable());
  const service = await startTestService({ LOG_LEVEL: 'trace' });
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({ role_assignments: [{ subject: 'gateway-1', role: 'gateway', unit_id: 'riverside-psb' }] });
  const { app } = service.service;
  const bearer = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const personal = {
    operatorName: 'Wang Fang',
    newPersonName: 'Gu Xiaoyan',
    decisionReason: 'suspected theft reported by Ms Tang Yue',
    exportReason: 'evidence for case 2026-0042 of Mr He Jun',
    recipientName: 'Judge Xu Ping',
    transferReason: 'court order 2026-77 naming Lin Mei',
    officerName: 'Qian Hui',
    caseNumber: 'RP-CASE-7731',
    requestReason: 'the assault on Mr Fang Bo on 2026-11-27',
    emergencyName: 'Tang Yue',
    emergencyContact: '+86 138 0000 1234',
    emergencyDescription: 'my father Tang Jian left home at noon',
  };
  const window = { from: new Date(Date.now() - 3 * HOUR).toISOString(), to: new Date(Date.now() - HOUR).toISOString() };

  const created = await app.inject({
    method: 'POST',
    url: '/v1/personnel',
    headers: await bearer('admin', 'dev'),
    payload: { id: 'op-gu', unit_id: 'riverside-psb', name: personal.newPersonName, position: 'operator' },
  });
  t.equal(created.statusCode, 201);
  const onBehalf = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: await bearer('gateway-1', 'riverside-psb'),
    payload: {
      camera_id: 'cam-square-north',
      action: 'live',
      purpose: 'public_safety',
      reason: personal.decisionReason,
      on_behalf_of: { subject: 'op-wang', name: personal.operatorName },
    },
  });
  t.equal(onBehalf.json().decision, 'allow');
  const li = await bearer('sup-li', 'riverside-psb');
  const exported = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: li,
    payload: { camera_id: 'cam-square-north', action: 'export', window, purpose: 'case_handling', reason: personal.exportReason },
  });
  const transferPayload = {
    decision_id: exported.json().decision_id,
    content: { camera_id: 'cam-square-north', window, file_sha256: 'b'.repeat(64), size_bytes: 10, description: 'clip' },
    recipient: { unit: 'Riverside District Court', person_name: personal.recipientName },
    reason: personal.transferReason,
  };
  const transfer = await app.inject({ method: 'POST', url: '/v1/transfers', headers: li, payload: transferPayload });
  t.equal(transfer.statusCode, 201);
  // A refused request must not leak what it carried either.
  const refused = await app.inject({ method: 'POST', url: '/v1/transfers', headers: li, payload: transferPayload });
  t.equal(refused.statusCode, 409);

  // A state organ's request, its approval and a decision under its grant; an emergency request.
  const zhou = await bearer('pr-zhou', 'riverside-procuratorate');
  const request = await app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: zhou,
    payload: {
      kind: 'state_organ',
      target_unit: 'riverside-psb',
      legal_basis: { statute: 'CPL art. 54', document_no: 'RP-1', case_no: personal.caseNumber, document_sha256: 'd'.repeat(64) },
      officers: [
        { name: personal.officerName, badge_no: 'P-1187' },
        { name: 'Zhou Lan', badge_no: 'P-1023' },
      ],
      scope: { camera_ids: ['cam-square-north'], window, actions: ['playback'] },
      purpose: 'investigation',
      reason: personal.requestReason,
    },
  });
  t.equal(request.statusCode, 201);
  const approval = await app.inject({
    method: 'POST',
    url: `/v1/access-requests/${request.json().id}/decisions`,
    headers: li,
    payload: { decision: 'approve', reason: `approved for ${personal.caseNumber}` },
  });
  t.equal(approval.json().status, 'approved');
  const underGrant = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: zhou,
    payload: {
      camera_id: 'cam-square-north',
      action: 'playback',
      window,
      purpose: 'case_handling',
      reason: personal.requestReason,
      grant_id: approval.json().grant_id,
    },
  });
  t.equal(underGrant.json().decision, 'allow');
  const listed = await app.inject({ method: 'GET', url: `/v1/access-requests?case_no=${personal.caseNumber}`, headers: li });
  t.equal(listed.json().items.length, 1);
  const emergency = await app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: await bearer('citizen-tang', 'public'),
    payload: {
      kind: 'emergency',
      target_unit: 'riverside-psb',
      emergency: {
        nature: 'life',
        relationship: 'close_relative',
        name: personal.emergencyName,
        contact: personal.emergencyContact,
        description: personal.emergencyDescription,
      },
      scope: { camera_ids: ['cam-river-road'], window, actions: ['playback'] },
      reason: 'find a missing person',
    },
  });
  t.equal(emergency.statusCode, 201);

  t.ok(service.logs.length >= 5, `${service.logs.length} log lines captured at level trace`);
  const spans = exporter.getFinishedSpans();
  t.ok(spans.length > 10, `${spans.length} spans captured`);
  const spanText = JSON.stringify(spans.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })));
  const logText = service.logs.join('');
  for (const [what, value] of Object.entries(personal)) {
    t.notOk(logText.includes(value), `the log never carries the ${what}`);
    t.notOk(spanText.includes(value), `no span carries the ${what}`);
  }
});
