import { readFile } from 'node:fs/promises';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { findBadText } from '../../src/http/input-text.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService } from '../helpers/service.js';

t.test('findBadText names the first lone surrogate or NUL by JSON pointer, and passes pairs', async (t) => {
  t.equal(findBadText({ a: 'ok', b: ['😀', 'fine'] }), undefined, 'a surrogate pair is a character');
  t.same(findBadText({ a: { 'b/c': ['x', '\ud800x'] } }), { path: '/a/b~1c/1', message: 'contains a lone UTF-16 surrogate' });
  t.same(findBadText({ a: 'tail\udc00' }), { path: '/a', message: 'contains a lone UTF-16 surrogate' });
  t.same(findBadText(['x', 'nul\u0000']), { path: '/1', message: 'contains a NUL character' });
  t.match(findBadText({ inner: { '\ud800': 1 } }), { path: '/inner', message: /member name/ });
  t.equal(findBadText(42), undefined);
});

t.test('a lone surrogate or NUL anywhere in input is a 400 naming the field, and nothing is recorded', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  const wang = { authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}` };
  const officer = { authorization: `Bearer ${await service.token('pr-zhou', 'riverside-procuratorate')}` };
  const now = Date.now();
  const window = { from: new Date(now - 3_600_000).toISOString(), to: new Date(now - 60_000).toISOString() };
  const lone = '\ud800x';
  // JSON.stringify writes a lone surrogate as the escape \ud800, which is how a hostile client sends it.
  const cases: [string, InjectOptions, string, string][] = [
    [
      'a decision reason',
      {
        method: 'POST',
        url: '/v1/decisions',
        headers: wang,
        payload: { camera_id: 'cam-square-north', action: 'live', purpose: 'public_safety', reason: `incident ${lone}` },
      },
      'body',
      '/reason',
    ],
    [
      'an emergency name',
      {
        method: 'POST',
        url: '/v1/access-requests',
        headers: wang,
        payload: {
          kind: 'emergency',
          target_unit: 'riverside-psb',
          emergency: {
            name: lone,
            contact: '+86 138 0000 0000',
            relationship: 'parent',
            nature: 'missing_person',
            description: 'x',
          },
          scope: { camera_ids: ['cam-square-north'], window, actions: ['live'] },
        },
      },
      'body',
      '/emergency/name',
    ],
    [
      'a registry name',
      {
        method: 'POST',
        url: '/v1/units',
        headers: admin,
        payload: { id: 'new-unit', name: `Unit ${lone}`, kind: 'using_unit' },
      },
      'body',
      '/name',
    ],
    [
      'a NUL in a state organ reason',
      {
        method: 'POST',
        url: '/v1/access-requests',
        headers: officer,
        payload: {
          ...stateOrganRequest('RP-2026-1', { camera_ids: ['cam-square-north'], window, actions: ['playback'] }),
          reason: 'a\u0000b',
        },
      },
      'body',
      '/reason',
    ],
    ['a NUL in a query parameter', { method: 'GET', url: '/v1/ledger/entries?kind=%00', headers: admin }, 'querystring', '/kind'],
    [
      'a NUL in a path parameter',
      { method: 'POST', url: '/v1/subjects/%00/erasure', headers: admin, payload: { basis: 'purpose_fulfilled' } },
      'params',
      '/id',
    ],
    ['a NUL in a registry id', { method: 'GET', url: '/v1/cameras/a%00b', headers: admin }, 'params', '/id'],
  ];
  const before = await service.entryCount();
  for (const [name, request, location, path] of cases) {
    const response = await app.inject(request);
    t.equal(response.statusCode, 400, name);
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`);
    t.match(response.json(), { code: 'invalid-request', errors: [{ location, path }] }, `${name}: names ${location}${path}`);
  }
  t.equal(await service.entryCount(), before, 'nothing reached the ledger');
});

t.test('every answer says nosniff and no-store; /docs carries a content security policy', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const { app } = service.service;
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  for (const [url, headers] of [
    ['/v1/me', admin],
    ['/v1/units', admin],
    ['/v1/me', {}],
    ['/v1/nowhere', admin],
    ['/healthz', {}],
    ['/v1/ledger/checkpoint', {}],
  ] as const) {
    const response = await app.inject({ method: 'GET', url, headers });
    t.equal(response.headers['x-content-type-options'], 'nosniff', `${url} (${response.statusCode}): nosniff`);
    t.equal(response.headers['cache-control'], 'no-store', `${url} (${response.statusCode}): no-store`);
  }
  const docs = await app.inject({ method: 'GET', url: '/docs' });
  t.equal(docs.statusCode, 200);
  const csp = String(docs.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/, 'Swagger UI is served under a CSP');
  t.notMatch(csp, /https:|validator\.swagger\.io/, 'that loads nothing from another origin');
});
