/**
 * The authorization matrix: every operation of openapi.yaml, asked by every baseline role held in
 * the unit the request is about ("own"), held in another unit of the same kind ("other"), and by a
 * caller holding no role anywhere ("none"). The world is the example district: requests are about
 * riverside-psb (its cameras, systems, people, role assignments, transfers, the grants and holds it
 * issued) and about the procuratorate's access requests to it. A role that a using unit cannot hold
 * has its own unit in the matching kind: state organ officers in riverside-procuratorate (other:
 * east-procuratorate), auditors and oversight in city-oversight (other: province-oversight).
 *
 * Outcomes: A the caller gets through (2xx, or a 400/409 about the request itself), D refused (403,
 * or a ZLMediaKit hook's answer that refuses: a `code` other than 0 or an `err`), H hidden (404: the
 * record exists but is not shown to this caller), U unauthenticated (401).
 * A route added to openapi.yaml without a row here fails the first assertion.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { parse } from 'yaml';
import { OPENAPI_FILE } from '../../src/http/routes/openapi.js';
import { BUILDERS, type Build, buildWorld, caseOf, ROLES, type Role, SCOPES, type Scope } from '../helpers/operation-requests.js';
import { startTestService } from '../helpers/service.js';

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
  // Anyone authenticated gets the camera directory; registry readers get the records.
  'GET /v1/cameras': PUBLIC,
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
  'POST /v1/decisions/plan': PUBLIC,
  'POST /v1/transfers': 'DDD ADD DDD DDD DDD DDD DDD DDD DDD',
  'GET /v1/transfers': 'DDD ADD DDD ADD DDD DDD AAD AAD DDD',
  'POST /v1/transfers/{id}/acknowledgement': 'DDD ADD DDD DDD DDD ADD DDD DDD DDD',
  'GET /v1/legal-holds': 'DDD AAD DDD AAD AAD DDD DDD DDD AAD',
  // Each administrator manages its own unit's subscriptions: another unit's is hidden.
  'POST /v1/webhook-subscriptions': 'DDD DDD DDD AAD DDD DDD DDD DDD DDD',
  'GET /v1/webhook-subscriptions': 'DDD DDD DDD AAD DDD DDD DDD DDD DDD',
  'POST /v1/webhook-subscriptions/{id}/deactivate': 'DDD DDD DDD AHD DDD DDD DDD DDD DDD',
  'GET /v1/webhook-subscriptions/{id}/deliveries': 'DDD DDD DDD AHD DDD DDD DDD DDD DDD',
  'GET /v1/events': PUBLIC,
  'POST /v1/access-requests': 'DDD DDD DDD DDD DDD AAD DDD DDD DDD',
  'GET /v1/access-requests': PUBLIC,
  'GET /v1/access-requests/{id}': 'HHH HHH HHH HHH AHH AHH HHH HHH HHH',
  'POST /v1/access-requests/{id}/decisions': 'HHH HHH HHH HHH AHH DHH HHH HHH HHH',
  'POST /v1/access-requests/{id}/withdrawal': 'HHH HHH HHH HHH DHH AAH HHH HHH HHH',
  'POST /v1/grants/{id}/revocation': 'HHH HHH HHH HHH AHH HHH HHH HHH HHH',
  'POST /v1/legal-holds/{id}/release': 'HHH HHH HHH HHH AHH HHH HHH HHH HHH',
  'GET /v1/gate': VIEWERS,
  'POST /v1/integrations/mediamtx/auth': VIEWERS,
  'POST /v1/reconciliations': 'DDD DDD DDD DDD DDD DDD AAD AAD AAD',
  'POST /v1/integrations/mediamtx/sessions': 'DDD DDD DDD DDD DDD DDD DDD DDD ADD',
  'POST /v1/integrations/zlmediakit/on_play': VIEWERS,
  'POST /v1/integrations/zlmediakit/on_http_access': VIEWERS,
  'POST /v1/integrations/zlmediakit/on_flow_report': PUBLIC,
  'POST /v1/integrations/zlmediakit/on_stream_none_reader': PUBLIC,
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

function outcome(status: number, body: string): string {
  if (status === 200 && /^\{"code":/.test(body)) {
    const answer = JSON.parse(body) as { code: number; err?: string };
    return answer.code !== 0 || (answer.err !== undefined && answer.err !== '') ? 'D' : 'A';
  }
  if (status === 401) return 'U';
  if (status === 403) return 'D';
  if (status === 404) return 'H';
  return status < 500 ? 'A' : `5xx(${status})`;
}

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
  const world = await buildWorld(service);
  t.match(world, { grantId: /^[0-9a-f-]{36}$/, holdId: /^[0-9a-f-]{36}$/ }, 'the world has a grant and a hold');

  const ordered = [...operations.filter((operation) => !LAST.includes(operation)), ...LAST];
  const mismatches: string[] = [];
  let cases = 0;
  for (const operation of ordered) {
    for (const role of ROLES) {
      for (const scope of SCOPES) {
        const c = await caseOf(world, role, scope, `${ordered.indexOf(operation)}-${role.replace('_', '')}-${scope}`);
        const answer = await service.service.app.inject(await (BUILDERS[operation] as Build)(world, c));
        const got = outcome(answer.statusCode, answer.body);
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
