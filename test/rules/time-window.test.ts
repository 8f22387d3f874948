import t from 'tap';
import { windowWithin } from '../../src/rules/time-window.js';

const OUTER = { from: '2026-11-29T08:00:00Z', to: '2026-11-29T10:00:00Z' };

t.test('a window lies within another when it starts no earlier, ends no later, and does not run backwards', async (t) => {
  const cases: [string, { from: string; to: string }, boolean][] = [
    ['the same window', OUTER, true],
    ['a part of it', { from: '2026-11-29T08:30:00Z', to: '2026-11-29T09:00:00Z' }, true],
    ['starting before', { from: '2026-11-29T07:59:59Z', to: '2026-11-29T09:00:00Z' }, false],
    ['ending after', { from: '2026-11-29T08:30:00Z', to: '2026-11-29T10:00:01Z' }, false],
    ['backwards', { from: '2026-11-29T09:00:00Z', to: '2026-11-29T08:30:00Z' }, false],
    ['another offset, same instants', { from: '2026-11-29T16:00:00+08:00', to: '2026-11-29T18:00:00+08:00' }, true],
  ];
  for (const [name, inner, expected] of cases) t.equal(windowWithin(inner, OUTER), expected, name);
});
