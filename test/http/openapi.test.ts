import { readFile } from 'node:fs/promises';
import t from 'tap';
import { parse } from 'yaml';
import { OPENAPI_FILE } from '../../src/http/routes/openapi.js';
import { startTestService } from '../helpers/service.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** "METHOD /path/{param}" for every route in Fastify's printed route tree (HEAD twins left out). */
function routesOf(tree: string): Set<string> {
  const routes = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ├└─]*?)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] as string).length / 4;
    stack.length = depth;
    stack.push(match[2] as string);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ').filter((m) => m !== '' && m !== 'HEAD')) routes.add(`${method} ${path}`);
  }
  return routes;
}

t.test('openapi.yaml names exactly the routes the app registers', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.service.app.ready();
  // Swagger UI's pages under /docs and the console's under /console are pages, not the contract.
  const registered = new Set(
    [...routesOf(service.service.app.printRoutes({ commonPrefix: false }))].filter(
      (route) => !/^GET \/(docs|console)/.test(route),
    ),
  );
  t.ok(registered.has('GET /v1/me'), 'the route table is read');
  const spec = parse(await readFile(OPENAPI_FILE, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of Object.keys(item)) if (METHODS.includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
  }
  t.same(
    [...registered].filter((r) => !documented.has(r)),
    [],
    'every registered route is documented',
  );
  t.same(
    [...documented].filter((r) => !registered.has(r)),
    [],
    'every documented route exists',
  );
});

t.test('the contract and Swagger UI are served without a token', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const yaml = await service.service.app.inject({ method: 'GET', url: '/openapi.yaml' });
  t.equal(yaml.statusCode, 200);
  t.match(yaml.headers['content-type'], /yaml/);
  t.equal(yaml.body, await readFile(OPENAPI_FILE, 'utf8'));
  const ui = await service.service.app.inject({ method: 'GET', url: '/docs' });
  t.equal(ui.statusCode, 200);
});
