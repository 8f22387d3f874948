/**
 * The authorization matrix: every operation of openapi.yaml, asked by every baseline role held in
 * the unit the request is about ("own"), held in another unit of the same kind ("other"), and by a
 * caller holding no role anywhere ("none"). The world is the example district: requests are about
 * riverside-psb (its cameras, systems, people, role assignments, transfers, the grants and holds it
 * issued) and about the procuratorate's access requests to it. A role that a using unit cannot hold
 * has its own unit in the matching kind: state organ officers in riverside-procuratorate (other:
 * east-procuratorate), auditors and oversight in city-oversight (other: province-oversight).
 *
 * Outcomes: A the caller gets through (2xx, or a 400/409 about the request itself), D refused (403),
 * H hidden (404: the record exists but is not shown to this caller), U unauthenticated (401).
 * A route added to openapi.yaml without a row here fails the first assertion.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { parse } from 'yaml';
import { EXAMPLE_REGISTRY_FILE } from '../../src/compose.js';
import { parseRegistryDocument } from '../../src/domain/registry-import.js';
import { OPENAPI_FILE } from '../../src/http/routes/openapi.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService, type TestService } from '../helpers/service.js';

const ROLES = [
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
type Role = (typeof ROLES)[number];
type Scope = 'own' | 'other' | 'none';
const SCOPES: readonly Scope[] = ['own', 'other', 'none'];

/**
 * Expected outcomes, one group of three (own, other, none) per role, in the order of ROLES:
 *   operator supervisor maintainer unit_admin approver officer auditor oversight gateway
 */
const PUBLIC = 'AAA AAA AAA AAA AAA AAA AAA AAA AAA';
const AUDIT = 'DDD DDD DDD DDD DDD DDD AAD AAD DDD';
const ADMIN_WRITE = 'DDD DDD DDD ADD DDD DDD DDD DDD DDD';
const REGISTRY_LIST = 'DDD DDD DDD AAD DDD DDD AAD AAD DDD';
const REGISTRY_READ = 'DDD DDD DDD AHD DDD DDD AAD AAD DDD';
const VIEWERS = 'ADD ADD DDD DDD DDD DDD DDD DDD DDD';
const EXPECTED: Readonly<Record<string, string>> = {
  'GET /healthz': PUBLIC,
  'GET /readyz': PUBLIC,
  'GET /openapi.yaml': PUBLIC,
  'GET /.well-known/jwks.json': PUBLIC,
  'GET /v1/ledger/key': PUBLIC,
  'GET /v1/ledger/keys': PUBLIC,
  'GET /v1/ledger/checkpoint': PUBLIC,
  'GET /v1/me': PUBLIC,
  'GET /metrics': 'DDD DDD DDD DDD DDD DDD AAD DDD AAD',
  'GET /v1/ledger/entries': AUDIT,
  'GET /v1/ledger/entries/{seq}': AUDIT,
  'GET /v1/ledger/entries/{seq}/receipt': AUDIT,
  'GET /v1/ledger/proofs/inclusion': AUDIT,
  'GET /v1/ledger/proofs/consistency': AUDIT,
  'GET /v1/ledger/export': AUDIT,
  'POST /v1/ledger/verifications': AUDIT,
  'GET /v1/compliance/report': AUDIT,
  'POST /v1/ledger/events': 'DDD DDD DDD DDD DDD DDD DDD DDD ADD',
  'POST /v1/subjects/{id}/erasure': ADMIN_WRITE,
  'GET /v1/units': REGISTRY_LIST,
  'GET /v1/units/{id}': REGISTRY_READ,
  'POST /v1/units': 'DDD DDD DDD DDD DDD DDD DDD AAD DDD',
  'PATCH /v1/units/{id}': ADMIN_WRITE,
  'POST /v1/units/{id}/deactivate': ADMIN_WRITE,
  'GET /v1/systems': REGISTRY_LIST,
  'GET /v1/systems/{id}': REGISTRY_READ,
  'POST /v1/systems': ADMIN_WRITE,
  'PATCH /v1/systems/{id}': ADMIN_WRITE,
  'POST /v1/systems/{id}/deactivate': ADMIN_WRITE,
  'GET /v1/cameras': REGISTRY_LIST,
  'GET /v1/cameras/{id}': REGISTRY_READ,
  'POST /v1/cameras': ADMIN_WRITE,
  'PATCH /v1/cameras/{id}': ADMIN_WRITE,
  'POST /v1/cameras/{id}/deactivate': ADMIN_WRITE,
  'GET /v1/personnel': REGISTRY_LIST,
  'GET /v1/personnel/{id}': REGISTRY_READ,
  'POST /v1/personnel': ADMIN_WRITE,
  'PATCH /v1/personnel/{id}': ADMIN_WRITE,
  'POST /v1/personnel/{id}/deactivate': ADMIN_WRITE,
  'GET /v1/role-assignments': ADMIN_WRITE,
  'POST /v1/role-assignments': ADMIN_WRITE,
  'DELETE /v1/role-assignments/{unit_id}/{subject}/{role}': ADMIN_WRITE,
  'POST /v1/decisions': 'AAD AAD AAD DDD DDD AAD DDD DDD AAD',
  'POST /v1/transfers': 'DDD ADD DDD DDD DDD DDD DDD DDD DDD',
  'GET /v1/transfers': 'DDD ADD DDD ADD DDD DDD AAD AAD DDD',
  'POST /v1/access-requests': 'DDD DDD DDD DDD DDD AAD DDD DDD DDD',
  'GET /v1/access-requests': PUBLIC,
  'GET /v1/access-requests/{id}': 'HHH HHH HHH HHH AHH AHH HHH HHH HHH',
  'POST /v1/access-requests/{id}/decisions': 'HHH HHH HHH HHH AHH DHH HHH HHH HHH',
  'POST /v1/access-requests/{id}/withdrawal': 'HHH HHH HHH HHH DHH AAH HHH HHH HHH',
  'POST /v1/grants/{id}/revocation': 'HHH HHH HHH HHH AHH HHH HHH HHH HHH',
  'POST /v1/legal-holds/{id}/release': 'HHH HHH HHH HHH AHH HHH HHH HHH HHH',
  'GET /v1/gate': VIEWERS,
  'POST /v1/integrations/mediamtx/auth': VIEWERS,
};

/** Operations whose effects would change what later rows see run last, in this order. */
const LAST = [
  'POST /v1/cameras/{id}/deactivate',
  'POST /v1/personnel/{id}/deactivate',
  'POST /v1/systems/{id}/deactivate',
  'POST /v1/units/{id}/deactivate',
];

function expected(operation: string, role: Role, scope: Scope): string {
  const groups = (EXPECTED[operation] as string).split(' ');
  return (groups[ROLES.indexOf(role)] as string)[SCOPES.indexOf(scope)] as string;
}

function outcome(status: number): string {
  if (status === 401) return 'U';
  if (status === 403) return 'D';
  if (status === 404) return 'H';
  return status < 500 ? 'A' : `5xx(${status})`;
}

const HOUR = 3_600_000;
const WINDOW = { from: new Date(Date.now() - 3 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
const OWN_UNIT: Record<Role, string> = {
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
const OTHER_UNIT: Record<string, string> = {
  'riverside-psb': 'riverside-metro',
  'riverside-procuratorate': 'east-procuratorate',
  'city-oversight': 'province-oversight',
};

interface Case {
  readonly role: Role;
  readonly scope: Scope;
  readonly id: string;
  readonly headers: Record<string, string>;
  readonly subject: string;
}

interface World {
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

type Build = (world: World, c: Case) => Promise<InjectOptions>;

const get =
  (url: string): Build =>
  async (_world, c) => ({ method: 'GET', url, headers: c.headers });
const post =
  (url: string, payload: (c: Case) => object): Build =>
  async (_world, c) => ({ method: 'POST', url, headers: c.headers, payload: payload(c) });
const patch =
  (url: string, payload: object): Build =>
  async (_world, c) => ({ method: 'PATCH', url, headers: c.headers, payload });

const BUILDERS: Readonly<Record<string, Build>> = {
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
    legal_basis: 9,
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
  'GET /v1/transfers': get('/v1/transfers?unit_id=riverside-psb'),
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
};

function documentedOperations(spec: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

t.test('every operation × every baseline role × own unit, other unit and no unit answers as the table says', async (t) => {
  const spec = parse(await readFile(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const operations = documentedOperations(spec);
  t.same([...operations].sort(), Object.keys(EXPECTED).sort(), 'the table has a row for every operation of openapi.yaml');
  t.same(Object.keys(BUILDERS).sort(), Object.keys(EXPECTED).sort(), 'and a request for each');

  const service = await startTestService();
  t.teardown(() => service.close());
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

  // A request of the procuratorate to riverside-psb, approved with a legal hold: its grant and hold.
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
  t.match({ grantId, holdId }, { grantId: /^[0-9a-f-]{36}$/, holdId: /^[0-9a-f-]{36}$/ }, 'the world has a grant and a hold');
  const world: World = { service, as, requestId, grantId, holdId };

  const ordered = [...operations.filter((operation) => !LAST.includes(operation)), ...LAST];
  const mismatches: string[] = [];
  let cases = 0;
  for (const operation of ordered) {
    for (const role of ROLES) {
      for (const scope of SCOPES) {
        const subject = scope === 'none' ? 'm-nobody' : `m-${role}-${scope}`;
        const unit = scope === 'none' ? 'nowhere' : scope === 'own' ? OWN_UNIT[role] : (OTHER_UNIT[OWN_UNIT[role]] as string);
        const c: Case = {
          role,
          scope,
          subject,
          id: `${ordered.indexOf(operation)}-${role.replace('_', '')}-${scope}`,
          headers: await as(subject, unit),
        };
        const answer = await service.service.app.inject(await (BUILDERS[operation] as Build)(world, c));
        const got = outcome(answer.statusCode);
        const want = expected(operation, role, scope);
        cases += 1;
        if (got !== want)
          mismatches.push(`${operation} as ${role} (${scope}): expected ${want}, got ${got} ${answer.body.slice(0, 160)}`);
      }
    }
  }
  t.equal(cases, operations.length * ROLES.length * SCOPES.length, `${cases} cases`);
  t.same(mismatches, [], 'every case answers as the table says');
});

t.test('every operation that is not public refuses a request without a token', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const spec = parse(await readFile(OPENAPI_FILE, 'utf8')) as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  const refused: string[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const security = operation.security;
      // Public operations say `security: []`; the gateway hooks take credentials of their own.
      if (security !== undefined && (security.length === 0 || security.some((item) => Object.keys(item as object).length === 0)))
        continue;
      const url = path.replace(/\{(\w+)\}/g, (_all, name: string) => (name === 'seq' ? '0' : randomUUID()));
      const answer = await service.service.app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        ...(method === 'get' || method === 'delete' ? {} : { payload: {} }),
      });
      if (answer.statusCode !== 401) refused.push(`${method.toUpperCase()} ${path}: ${answer.statusCode}`);
    }
  }
  t.same(refused, [], 'each is 401');
});
