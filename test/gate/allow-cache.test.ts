import t from 'tap';
import { AllowCache, allowKey } from '../../src/gate/allow-cache.js';

const allow = (decisionId: string, expiresAt: number) => ({ decisionId, obligations: [], expiresAt });

t.test('an allow is served until it expires, then forgotten', async (t) => {
  let now = 1_000;
  const cache = new AllowCache(10, () => now);
  cache.set('a', allow('d1', 2_000));
  t.equal(cache.get('a')?.decisionId, 'd1');
  now = 2_000;
  t.equal(cache.get('a'), undefined);
  t.equal(cache.size, 0);
  cache.set('b', allow('d2', 1_500));
  t.equal(cache.size, 0, 'an already expired allow is not stored');
});

t.test('the cache holds at most its capacity, dropping the least recently used', async (t) => {
  const cache = new AllowCache(2, () => 0);
  cache.set('a', allow('a', 10));
  cache.set('b', allow('b', 10));
  cache.get('a');
  cache.set('c', allow('c', 10));
  t.equal(cache.size, 2);
  t.equal(cache.get('b'), undefined, 'b was least recently used');
  t.ok(cache.get('a'));
  t.ok(cache.get('c'));
  const none = new AllowCache(0);
  none.set('a', allow('a', Date.now() + 1000));
  t.equal(none.get('a'), undefined, 'capacity 0 turns the cache off');
  t.throws(() => new AllowCache(-1));
});

t.test('clear forgets everything', async (t) => {
  const cache = new AllowCache(5, () => 0);
  cache.set('a', allow('a', 10));
  cache.clear();
  t.equal(cache.get('a'), undefined);
});

t.test('keys differ in every part of the access', async (t) => {
  const base = {
    person: 'p',
    unit: 'u',
    camera: 'c',
    action: 'playback',
    window: { from: 'f', to: 't' },
    purpose: 'x',
    reason: 'r',
  };
  const keys = new Set([
    allowKey(base),
    allowKey({ ...base, person: 'q' }),
    allowKey({ ...base, unit: 'v' }),
    allowKey({ ...base, camera: 'd' }),
    allowKey({ ...base, action: 'export' }),
    allowKey({ ...base, window: { from: 'f', to: 'u' } }),
    allowKey({ ...base, window: undefined }),
    allowKey({ ...base, purpose: 'y' }),
    allowKey({ ...base, reason: '' }),
    allowKey({ ...base, reason: 'another incident' }),
    allowKey({ ...base, grantId: 'g' }),
    allowKey({ ...base, person: 'p","u' }),
  ]);
  t.equal(keys.size, 12);
});
