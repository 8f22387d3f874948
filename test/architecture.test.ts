/**
 * The import graph of src/ (type-only imports included) has no cycle. The directions between the
 * layers are Biome's noRestrictedImports (biome.json); docs/architecture.md explains both.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';

const SPECIFIER = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

async function sources(directory: string): Promise<string[]> {
  const found: string[] = [];
  for (const item of await readdir(directory, { withFileTypes: true })) {
    const full = path.join(directory, item.name);
    if (item.isDirectory()) found.push(...(await sources(full)));
    else if (item.name.endsWith('.ts')) found.push(full);
  }
  return found;
}

/** Each module and the modules of src/ it imports. */
async function importGraph(root: string): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of await sources(root)) {
    const text = await readFile(file, 'utf8');
    const targets = [...text.matchAll(SPECIFIER)].map((match) =>
      path.normalize(path.join(path.dirname(file), (match[1] as string).replace(/\.js$/, '.ts'))),
    );
    graph.set(path.normalize(file), targets);
  }
  return graph;
}

/** Cycles found by depth-first search, each as the modules along it. */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

t.test('the cycle finder finds a cycle of type-only imports and none in a tree', async (t) => {
  t.same(
    cyclesOf(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', ['a']],
      ]),
    ),
    [['a', 'b', 'c', 'a']],
  );
  t.same(
    cyclesOf(
      new Map([
        ['a', ['b', 'c']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    [],
  );
});

t.test('no module of src/ imports itself through others', async (t) => {
  const graph = await importGraph('src');
  t.ok(graph.size > 100, `${graph.size} modules read`);
  t.same(cyclesOf(graph), [], 'no import cycle');
});
