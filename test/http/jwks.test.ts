import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { JwksKeySource } from '../../src/http/jwks.js';

function jwks(keys: object[]): Response {
  return new Response(JSON.stringify({ keys }), { status: 200 });
}

t.test('an unknown kid refetches the set once the refetch interval has passed', async (t) => {
  const a = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const b = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  let now = 0;
  let served = [{ ...a, kid: 'a' }];
  let fetches = 0;
  const source = new JwksKeySource({
    url: 'https://idp.test/jwks',
    minRefetchMs: 1000,
    now: () => now,
    fetch: async () => {
      fetches += 1;
      return jwks(served);
    },
  });
  t.ok(await source.keyFor('a'));
  served = [
    { ...a, kid: 'a' },
    { ...b, kid: 'b' },
  ];
  t.equal(await source.keyFor('b'), undefined, 'too soon to refetch');
  now = 1000;
  t.ok(await source.keyFor('b'), 'refetched after the interval');
  t.equal(fetches, 2);
});

t.test('concurrent misses share one fetch, and a failing or malformed set yields no key', async (t) => {
  let fetches = 0;
  const failing = new JwksKeySource({
    url: 'https://idp.test/jwks',
    fetch: async () => {
      fetches += 1;
      return new Response('oops', { status: 500 });
    },
  });
  const results = await Promise.all([failing.keyFor('x'), failing.keyFor('y'), failing.keyFor('z')]);
  t.same(results, [undefined, undefined, undefined]);
  t.equal(fetches, 1);
  const malformed = new JwksKeySource({ url: 'https://idp.test/jwks', fetch: async () => new Response('{"keys": 5}') });
  t.equal(await malformed.keyFor('x'), undefined);
  const encryptionOnly = new JwksKeySource({
    url: 'https://idp.test/jwks',
    fetch: async () => jwks([{ ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), kid: 'e', use: 'enc' }]),
  });
  t.equal(await encryptionOnly.keyFor('e'), undefined, 'keys not meant for signatures are ignored');
});
