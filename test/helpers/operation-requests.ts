/**
 * A valid request for every operation of openapi.yaml, about the example district's riverside-psb
 * (and the procuratorate's requests to it), built for a given caller. Shared by the authorization
 * matrix, which varies the caller, and the fuzz test, which varies the request.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { InjectOptions } from 'fastify';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { stateOrganRequest } from './requests.js';
import type { TestService } from './service.js';

export const ROLES = [
  'operator',
  'supervisor',
  'maintainer',
  'unit_admin',
  'approver',
  'state_organ_officer',
  'auditor',
  'oversight',
  'gateway',
] as const;
export type Role = (typeof ROLES)[number];
export type Scope = 'own' | 'other' | 'none';
export const SCOPES: readonly Scope[] = ['own', 'other', 'none'];

const HOUR = 3_600_000;
const WINDOW = { from: new Date(Date.now() - 3 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
export const OWN_UNIT: Record<Role, string> = {
  operator: 'riverside-psb',
  supervisor: 'riverside-psb',
  maintainer: 'riverside-psb',
  unit_admin: 'riverside-psb',
  approver: 'riverside-psb',
  gateway: 'riverside-psb',
  state_organ_officer: 'riverside-procuratorate',
  auditor: 'city-oversight',
  oversight: 'city-oversight',
};
export const OTHER_UNIT: Record<string, string> = {
  'riverside-psb': 'riverside-metro',
  'riverside-procuratorate': 'east-procuratorate',
  'city-oversight': 'province-oversight',
};

export interface Case {
  readonly role: Role;
  readonly scope: Scope;
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly subject: string;
}

export interface World {
  readonly service: TestService;
  readonly as: (subject: string, unit: string) => Promise<Record<string, string>>;
  readonly requestId: string;
  readonly grantId: string;
  readonly holdId: string;
}

async function inject(world: World, options: InjectOptions) {
  return world.service.service.app.inject(options);
}

/** A request submitted to riverside-psb by the procuratorate's pr-zhou, or by the caller if an officer. */
async function submittedRequest(world: World, c: Case, by?: Record<string, string>): Promise<string> {
  const headers = by ?? (await world.as('pr-zhou', 'riverside-procuratorate'));
  const answer = await inject(world, {
    method: 'POST',
    url: '/v1/access-requests',
    headers,
    payload: stateOrganRequest(`MX-${c.id}`, { camera_ids: ['cam-square-north'], window: WINDOW, actions: ['playback'] }),
  });
  return answer.json().id as string;
}

/** A subscription of riverside-psb's, made by its administrator. */
async function subscriptionOf(world: World): Promise<string> {
  const answer = await inject(world, {
    method: 'POST',
    url: '/v1/webhook-subscriptions',
    headers: await world.as('admin', 'riverside-psb'),
    payload: { url: 'http://127.0.0.1:9/hook', events: ['request.submitted'] },
  });
  return answer.json().id as string;
}

export type Build = (world: World, c: Case) => Promise<InjectOptions>;

const get =
  (url: string): Build =>
  async (_world, c) => ({ method: 'GET', url, headers: c.headers });
const post =
  (url: string, payload: (c: Case) => object): Build =>
  async (_world, c) => ({ method: 'POST', url, headers: c.headers, payload: payload(c) });
const patch =
  (url: string, payload: object): Build =>
  async (_world, c) => ({ method: 'PATCH', url, headers: c.headers, payload });

export const BUILDERS: Readonly<Record<string, Build>> = {
  'GET /healthz': get('/healthz'),
  'GET /readyz': get('/readyz'),
  'GET /openapi.yaml': get('/openapi.yaml'),
  'GET /.well-known/jwks.json': get('/.well-known/jwks.json'),
  'GET /v1/ledger/key': get('/v1/ledger/key'),
  'GET /v1/ledger/keys': get('/v1/ledger/keys'),
  'GET /v1/ledger/checkpoint': get('/v1/ledger/checkpoint'),
  'GET /v1/me': get('/v1/me'),
  'GET /metrics': get('/metrics'),
  'GET /v1/ledger/entries': get('/v1/ledger/entries?limit=2'),
  'GET /v1/ledger/entries/{seq}': get('/v1/ledger/entries/0'),
  'GET /v1/ledger/entries/{seq}/receipt': get('/v1/ledger/entries/0/receipt'),
  'GET /v1/ledger/proofs/inclusion': get('/v1/ledger/proofs/inclusion?seq=0&tree_size=2'),
  'GET /v1/ledger/proofs/consistency': get('/v1/ledger/proofs/consistency?from=1&to=2'),
  'GET /v1/ledger/export': get('/v1/ledger/export?from=0&to=2'),
  'POST /v1/ledger/verifications': post('/v1/ledger/verifications', () => ({})),
  'GET /v1/compliance/report': get('/v1/compliance/report'),
  'POST /v1/ledger/events': post('/v1/ledger/events', (c) => ({
    kind: 'playback.started',
    payload: { camera_id: 'cam-square-north', session_id: c.id },
  })),
  'POST /v1/subjects/{id}/erasure': async (world, c) => {
    // A subject of riverside-psb's own, with a value it recorded.
    await world.service.service.writer.record({
      kind: 'playback.started',
      actor: { unit: 'riverside-psb', subject: `subj-${c.id}`, name: 'A Person' },
      payload: { camera_id: 'cam-square-north', session_id: c.id },
    });
    return {
      method: 'POST',
      url: `/v1/subjects/subj-${c.id}/erasure`,
      headers: c.headers,
      payload: { basis: 'purpose_fulfilled' },
    };
  },
  'GET /v1/units': get('/v1/units'),
  'GET /v1/units/{id}': get('/v1/units/riverside-psb'),
  'POST /v1/units': post('/v1/units', (c) => ({ id: `unit-${c.id}`, name: 'A new unit', kind: 'using_unit' })),
  'PATCH /v1/units/{id}': patch('/v1/units/riverside-psb', { name: 'Riverside District Public Security Bureau' }),
  'POST /v1/units/{id}/deactivate': post('/v1/units/riverside-psb/deactivate', () => ({})),
  'GET /v1/systems': get('/v1/systems'),
  'GET /v1/systems/{id}': get('/v1/systems/riverside-streets'),
  'POST /v1/systems': post('/v1/systems', (c) => ({
    id: `sys-${c.id}`,
    unit_id: 'riverside-psb',
    name: 'A new system',
    legal_basis: 'government',
    went_live_on: '2026-01-01',
    signage: true,
  })),
  'PATCH /v1/systems/{id}': patch('/v1/systems/riverside-streets', { name: 'Riverside street and square surveillance' }),
  'POST /v1/systems/{id}/deactivate': post('/v1/systems/riverside-streets/deactivate', () => ({})),
  'GET /v1/cameras': get('/v1/cameras'),
  'GET /v1/cameras/{id}': get('/v1/cameras/cam-square-north'),
  'POST /v1/cameras': post('/v1/cameras', (c) => ({
    id: `cam-${c.id}`,
    system_id: 'riverside-streets',
    name: 'A new camera',
    location: 'somewhere',
    location_class: 'road',
  })),
  'PATCH /v1/cameras/{id}': patch('/v1/cameras/cam-square-north', { name: 'Central Square north' }),
  'POST /v1/cameras/{id}/deactivate': post('/v1/cameras/cam-river-road/deactivate', () => ({})),
  'GET /v1/personnel': get('/v1/personnel'),
  'GET /v1/personnel/{id}': get('/v1/personnel/op-wang'),
  'POST /v1/personnel': post('/v1/personnel', (c) => ({
    id: `p-${c.id}`,
    unit_id: 'riverside-psb',
    name: 'A Person',
    position: 'operator',
  })),
  'PATCH /v1/personnel/{id}': patch('/v1/personnel/op-wang', { position: 'monitoring operator' }),
  'POST /v1/personnel/{id}/deactivate': post('/v1/personnel/op-zhao/deactivate', () => ({})),
  'GET /v1/role-assignments': get('/v1/role-assignments?unit_id=riverside-psb'),
  'POST /v1/role-assignments': post('/v1/role-assignments', (c) => ({
    subject: `s-${c.id}`,
    role: 'operator',
    unit_id: 'riverside-psb',
  })),
  'DELETE /v1/role-assignments/{unit_id}/{subject}/{role}': async (world, c) => {
    await world.service.setUp({ role_assignments: [{ subject: `r-${c.id}`, role: 'operator', unit_id: 'riverside-psb' }] });
    return { method: 'DELETE', url: `/v1/role-assignments/riverside-psb/r-${c.id}/operator`, headers: c.headers };
  },
  'POST /v1/decisions': post('/v1/decisions', () => ({
    camera_id: 'cam-square-north',
    action: 'live',
    purpose: 'public_safety',
    reason: 'matrix',
  })),
  'POST /v1/decisions/plan': post('/v1/decisions/plan', () => ({ action: 'live', purpose: 'public_safety', reason: 'matrix' })),
  'POST /v1/transfers': async (world, c) => {
    // The caller's own allowed export, or (for another unit) riverside-psb's supervisor's.
    const decider = c.scope === 'own' ? c.headers : await world.as('sup-li', 'riverside-psb');
    const decided = await inject(world, {
      method: 'POST',
      url: '/v1/decisions',
      headers: decider,
      payload: { camera_id: 'cam-square-north', action: 'export', window: WINDOW, purpose: 'case_handling', reason: 'matrix' },
    });
    const decisionId = (decided.json().decision_id as string | undefined) ?? randomUUID();
    return {
      method: 'POST',
      url: '/v1/transfers',
      headers: c.headers,
      payload: {
        decision_id: decisionId,
        reason: 'handed to the court',
        content: {
          camera_id: 'cam-square-north',
          window: WINDOW,
          file_sha256: 'a'.repeat(64),
          size_bytes: 1000,
          description: 'one MP4 file',
        },
        recipient: { unit: 'District Court', person_name: 'A Clerk' },
      },
    };
  },
  'POST /v1/transfers/{id}/acknowledgement': async (world, c) => {
    // riverside-psb's export handed to the caller's role's own unit.
    const supervisor = await world.as('sup-li', 'riverside-psb');
    const decided = await inject(world, {
      method: 'POST',
      url: '/v1/decisions',
      headers: supervisor,
      payload: { camera_id: 'cam-square-north', action: 'export', window: WINDOW, purpose: 'case_handling', reason: 'matrix' },
    });
    const registered = await inject(world, {
      method: 'POST',
      url: '/v1/transfers',
      headers: supervisor,
      payload: {
        decision_id: decided.json().decision_id,
        reason: 'handed over',
        content: {
          camera_id: 'cam-square-north',
          window: WINDOW,
          file_sha256: 'a'.repeat(64),
          size_bytes: 1000,
          description: 'MP4',
        },
        recipient: { unit: OWN_UNIT[c.role], person_name: 'A Clerk', unit_id: OWN_UNIT[c.role] },
      },
    });
    const transferId = (registered.json().transfer_id as string | undefined) ?? randomUUID();
    return {
      method: 'POST',
      url: `/v1/transfers/${transferId}/acknowledgement`,
      headers: c.headers,
      payload: { file_sha256: 'a'.repeat(64) },
    };
  },
  'GET /v1/transfers': get('/v1/transfers?unit_id=riverside-psb'),
  'GET /v1/legal-holds': get('/v1/legal-holds?camera_id=cam-square-north&active=true'),
  'POST /v1/webhook-subscriptions': post('/v1/webhook-subscriptions', () => ({
    url: 'http://127.0.0.1:9/hook',
    events: ['request.submitted'],
  })),
  'GET /v1/webhook-subscriptions': get('/v1/webhook-subscriptions'),
  'POST /v1/webhook-subscriptions/{id}/deactivate': async (world, c) => ({
    method: 'POST',
    url: `/v1/webhook-subscriptions/${await subscriptionOf(world)}/deactivate`,
    headers: c.headers,
  }),
  'GET /v1/webhook-subscriptions/{id}/deliveries': async (world, c) => ({
    method: 'GET',
    url: `/v1/webhook-subscriptions/${await subscriptionOf(world)}/deliveries`,
    headers: c.headers,
  }),
  // An unknown type is refused before the stream opens (an open stream would never end here).
  'GET /v1/events': get('/v1/events?types=no.such'),
  'POST /v1/access-requests': post('/v1/access-requests', (c) =>
    stateOrganRequest(`MX-${c.id}`, { camera_ids: ['cam-square-north'], window: WINDOW, actions: ['playback'] }),
  ),
  'GET /v1/access-requests': get('/v1/access-requests'),
  'GET /v1/access-requests/{id}': async (world, c) => ({
    method: 'GET',
    url: `/v1/access-requests/${world.requestId}`,
    headers: c.headers,
  }),
  'POST /v1/access-requests/{id}/decisions': async (world, c) => ({
    method: 'POST',
    url: `/v1/access-requests/${await submittedRequest(world, c)}/decisions`,
    headers: c.headers,
    payload: { decision: 'reject', reason: 'not within the scope' },
  }),
  'POST /v1/access-requests/{id}/withdrawal': async (world, c) => {
    const officer = c.role === 'state_organ_officer' && c.scope !== 'none';
    const id = await submittedRequest(world, c, officer ? c.headers : undefined);
    return { method: 'POST', url: `/v1/access-requests/${id}/withdrawal`, headers: c.headers, payload: {} };
  },
  'POST /v1/grants/{id}/revocation': async (world, c) => ({
    method: 'POST',
    url: `/v1/grants/${world.grantId}/revocation`,
    headers: c.headers,
    payload: { reason: 'the case closed' },
  }),
  'POST /v1/legal-holds/{id}/release': async (world, c) => ({
    method: 'POST',
    url: `/v1/legal-holds/${world.holdId}/release`,
    headers: c.headers,
    payload: { reason: 'the trial ended' },
  }),
  'GET /v1/gate': async (_world, c) => ({
    method: 'GET',
    url: '/v1/gate',
    headers: {
      ...c.headers,
      'x-original-uri': '/live/cam-square-north/index.m3u8',
      'x-served-uri': '/live/cam-square-north/index.m3u8',
    },
  }),
  'POST /v1/integrations/mediamtx/auth': async (_world, c) => ({
    method: 'POST',
    url: '/v1/integrations/mediamtx/auth',
    payload: { action: 'read', path: 'cam-square-north', token: (c.headers.authorization as string).slice('Bearer '.length) },
  }),
  'POST /v1/reconciliations': async (_world, c) => ({
    method: 'POST',
    url: '/v1/reconciliations',
    headers: { ...c.headers, 'content-type': 'application/x-ndjson' },
    payload: '{"msec":1796000000,"path":"/live/cam-square-north/index.m3u8","status":200,"bytes":10,"decision":""}\n',
  }),
  'POST /v1/integrations/mediamtx/sessions': async (_world, c) => ({
    method: 'POST',
    url: '/v1/integrations/mediamtx/sessions',
    headers: c.headers,
    payload: { event: 'read', path: 'cam-square-north', reader_id: `reader-${c.id}` },
  }),
  'POST /v1/integrations/zlmediakit/on_play': async (_world, c) => ({
    method: 'POST',
    url: '/v1/integrations/zlmediakit/on_play',
    payload: {
      app: 'live',
      stream: 'cam-square-north',
      params: `token=${(c.headers.authorization as string).slice('Bearer '.length)}`,
      id: `play-${c.id}`,
    },
  }),
  'POST /v1/integrations/zlmediakit/on_http_access': async (_world, c) => ({
    method: 'POST',
    url: '/v1/integrations/zlmediakit/on_http_access',
    payload: { path: '/live/cam-square-north/index.m3u8', is_dir: false, 'header.Authorization': c.headers.authorization },
  }),
  'POST /v1/integrations/zlmediakit/on_flow_report': async (_world, c) => ({
    method: 'POST',
    url: '/v1/integrations/zlmediakit/on_flow_report',
    payload: { app: 'live', stream: 'cam-square-north', totalBytes: 1000, duration: 3, player: true, id: `flow-${c.id}` },
  }),
  'POST /v1/integrations/zlmediakit/on_stream_none_reader': async () => ({
    method: 'POST',
    url: '/v1/integrations/zlmediakit/on_stream_none_reader',
    payload: { app: 'live', stream: 'cam-square-north' },
  }),
};

/** The riverside district with a caller per role and scope, and an approved request with its grant and hold. */
export async function buildWorld(service: TestService): Promise<World> {
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const units = [
    { id: 'east-procuratorate', name: 'East Procuratorate', kind: 'state_organ' },
    { id: 'province-oversight', name: 'Province oversight', kind: 'oversight' },
  ];
  const subjects = ROLES.flatMap((role) =>
    (['own', 'other'] as const).map((scope) => {
      const own = OWN_UNIT[role];
      return { role, scope, subject: `m-${role}-${scope}`, unit: scope === 'own' ? own : (OTHER_UNIT[own] as string) };
    }),
  );
  await service.setUp({
    units,
    personnel: subjects.map(({ subject, unit }) => ({
      id: subject,
      unit_id: unit,
      name: null,
      position: 'matrix',
      training_valid_until: '2099-12-31',
      confidentiality_signed_on: '2025-01-01',
    })),
    role_assignments: subjects.map(({ subject, role, unit }) => ({ subject, role, unit_id: unit })),
  });
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const zhou = await as('pr-zhou', 'riverside-procuratorate');
  const submitted = await service.service.app.inject({
    method: 'POST',
    url: '/v1/access-requests',
    headers: zhou,
    payload: {
      ...stateOrganRequest('MX-WORLD', { camera_ids: ['cam-square-north'], window: WINDOW, actions: ['playback'] }),
      legal_hold: true,
    },
  });
  const requestId = submitted.json().id as string;
  const approved = await service.service.app.inject({
    method: 'POST',
    url: `/v1/access-requests/${requestId}/decisions`,
    headers: await as('sup-li', 'riverside-psb'),
    payload: { decision: 'approve', reason: 'for the case' },
  });
  const { grant_id: grantId, hold_id: holdId } = approved.json();
  return { service, as, requestId, grantId, holdId };
}

/** The case of `role` in `scope`, with its token. */
export async function caseOf(world: World, role: Role, scope: Scope, id: string): Promise<Case> {
  const subject = scope === 'none' ? 'm-nobody' : `m-${role}-${scope}`;
  const unit = scope === 'none' ? 'nowhere' : scope === 'own' ? OWN_UNIT[role] : (OTHER_UNIT[OWN_UNIT[role]] as string);
  return { role, scope, subject, id, headers: await world.as(subject, unit) };
}
