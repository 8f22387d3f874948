/**
 * Hostile input, generated: for every operation of openapi.yaml, a valid request (the builders the
 * authorization matrix uses) asked by a caller of any baseline role, with one part replaced by
 * something hostile — a body member at any depth, a query parameter, a path segment — or the body
 * replaced whole. Values include lone surrogates, NUL, every byte percent-encoded, huge and odd
 * numbers and any JSON. No answer may be a 5xx, and afterwards every entry recorded before is
 * unchanged and the whole log verifies.
 */
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { parse } from 'yaml';
import { OPENAPI_FILE } from '../../src/http/routes/openapi.js';
import { BUILDERS, type Build, buildWorld, caseOf, ROLES, type Role } from '../helpers/operation-requests.js';
import { startTestService } from '../helpers/service.js';

// FOOTAGE_WARDEN_FUZZ_RUNS=200 npm test -- test/http/fuzz.test.ts searches deeper than CI does, and
// FOOTAGE_WARDEN_FUZZ_SEED=random elsewhere: CI runs one fixed seed, so a failure is reproducible.
const RUNS_PER_OPERATION = Number(process.env.FOOTAGE_WARDEN_FUZZ_RUNS ?? 20);
const SEED_SETTING = process.env.FOOTAGE_WARDEN_FUZZ_SEED ?? '20261130';
const SEED = SEED_SETTING === 'random' ? Date.now() : Number(SEED_SETTING);

/** Text as a URI carries it: every byte percent-encoded, so any byte sequence can be sent. */
function percentEncoded(bytes: Uint8Array): string {
  return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '\ud800x', 'x\udfff', '\udc00\ud800') },
  fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800x', 'x\udfff', '../../etc/passwd', '\\', 'a'.repeat(5000), '😀', ' ', '\n'),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const hostileValue = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53, 0.5, true, null, [], {}),
);
const uriComponent = fc.oneof(
  fc.constantFrom('%00', '%ED%A0%80', '%C0%AE', '..', '%2F', '', 'x'.repeat(300), '-1', '1e99', '%FF%FE'),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map(percentEncoded),
);

/** JSON pointers (as key lists) to every member and element of a value. */
function pointers(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return entries.flatMap(([key, item]) => [[...prefix, key], ...pointers(item, [...prefix, key])]);
}

function replaced(value: unknown, path: readonly (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head] = replaced(copy[head], rest, by);
  return copy;
}

type Mutation =
  | { kind: 'member'; choice: number; value: unknown }
  | { kind: 'body'; value: unknown }
  | { kind: 'query'; choice: number; value: string; name: string }
  | { kind: 'segment'; choice: number; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('member' as const), choice: fc.nat(), value: hostileValue }) },
  fc.record({ kind: fc.constant('body' as const), value: fc.oneof(hostileValue, fc.dictionary(hostileText, hostileValue)) }),
  fc.record({
    kind: fc.constant('query' as const),
    choice: fc.nat(),
    value: uriComponent,
    name: fc.constantFrom('', 'kind', 'unit_id', 'limit', 'from', 'to', 'open', 'seq', 'tree_size', 'format'),
  }),
  fc.record({ kind: fc.constant('segment' as const), choice: fc.nat(), value: uriComponent }),
);

function mutate(request: InjectOptions, change: Mutation): InjectOptions {
  const url = String(request.url);
  const [path, search = ''] = url.split('?') as [string, string?];
  switch (change.kind) {
    case 'member': {
      const found = pointers(request.payload);
      if (found.length === 0) return { ...request, payload: change.value as object };
      return {
        ...request,
        payload: replaced(request.payload, found[change.choice % found.length] as (string | number)[], change.value) as object,
      };
    }
    case 'body':
      return { ...request, payload: change.value as object };
    case 'query': {
      const pairs = search === '' ? [] : search.split('&');
      const name =
        pairs.length > 0 && change.name === '' ? (pairs[change.choice % pairs.length] as string).split('=')[0] : change.name;
      const kept = pairs.filter((pair) => pair.split('=')[0] !== name);
      return { ...request, url: `${path}?${[...kept, `${name || 'x'}=${change.value}`].join('&')}` };
    }
    case 'segment': {
      const segments = path.split('/');
      // Never the leading "" or "v1": the route itself stays.
      const index = 2 + (change.choice % Math.max(1, segments.length - 2));
      segments[Math.min(index, segments.length - 1)] = change.value;
      return { ...request, url: `${segments.join('/')}${search === '' ? '' : `?${search}`}` };
    }
  }
}

t.test('hostile variants of valid requests never make a 5xx, and leave the ledger verifying and unchanged', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const world = await buildWorld(service);
  const { app } = service.service;
  const spec = parse(await readFile(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
  const before = await service.database.handle.db
    .selectFrom('ledger_entries')
    .select(['seq', 'leaf_hash'])
    .orderBy('seq')
    .execute();

  const failures: string[] = [];
  let sent = 0;
  for (const [index, operation] of operations.entries()) {
    const build = BUILDERS[operation] as Build;
    // The roles whose valid request gets through: mutations of theirs reach the deepest code.
    const through: Role[] = [];
    for (const role of ROLES) {
      const answer = await app.inject(await build(world, await caseOf(world, role, 'own', `fz${index}-probe-${role}`)));
      if (answer.statusCode < 400) through.push(role);
    }
    await fc
      .assert(
        fc.asyncProperty(
          fc.constantFrom(...(through.length > 0 ? through : ROLES)),
          mutation,
          fc.nat(),
          async (role, change, nonce) => {
            const c = await caseOf(world, role, 'own', `fz${index}-${nonce % 100000}-${sent}`);
            const request = mutate(await build(world, c), change);
            const answer = await app.inject(request);
            sent += 1;
            if (answer.statusCode >= 500) {
              failures.push(
                `${operation} as ${role}: ${request.method} ${String(request.url).slice(0, 200)} ${JSON.stringify(request.payload ?? null).slice(0, 200)} → ${answer.statusCode} ${answer.body.slice(0, 200)}`,
              );
            }
            return answer.statusCode < 500;
          },
        ),
        { numRuns: RUNS_PER_OPERATION, seed: SEED + index },
      )
      .catch(() => undefined);
  }
  t.same(failures, [], `no 5xx (seed ${SEED})`);
  t.ok(sent >= RUNS_PER_OPERATION * operations.length, `${sent} requests were sent`);

  const after = await service.database.handle.db
    .selectFrom('ledger_entries')
    .select(['seq', 'leaf_hash'])
    .orderBy('seq')
    .execute();
  t.same(
    after.slice(0, before.length).map((row) => [row.seq, Buffer.from(row.leaf_hash).toString('hex')]),
    before.map((row) => [row.seq, Buffer.from(row.leaf_hash).toString('hex')]),
    'every entry recorded before is unchanged',
  );
  const verification = await app.inject({
    method: 'POST',
    url: '/v1/ledger/verifications',
    headers: await world.as('admin', 'dev'),
    payload: {},
  });
  const result = JSON.parse(verification.body.trim().split('\n').at(-1) as string).result;
  t.match(result, { ok: true, first_failure: null }, 'the whole log verifies');
  t.ok(result.entries_checked >= after.length, `all ${after.length} entries were checked`);
});
