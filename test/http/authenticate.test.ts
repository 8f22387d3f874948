import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createSigner } from 'fast-jwt';
import t from 'tap';
import { startTestService, type TestService } from '../helpers/service.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'footage-warden';

function pem(key: KeyObject, type: 'pkcs8' | 'spki'): string {
  return key.export({ format: 'pem', type }).toString();
}

function signWith(key: KeyObject, algorithm: 'RS256' | 'ES256' | 'EdDSA', claims: Record<string, unknown>, kid?: string): string {
  return createSigner({
    key: pem(key, 'pkcs8'),
    algorithm,
    expiresIn: 60_000,
    ...(kid === undefined ? {} : { kid }),
  })({ iss: ISSUER, aud: AUDIENCE, ...claims });
}

async function me(service: TestService, token: string | undefined) {
  return service.service.app.inject({
    method: 'GET',
    url: '/v1/me',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

function unsigned(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

t.test('development tokens: accepted when valid, refused with 401 problem+json otherwise', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  const good = await me(service, await service.token('admin', 'dev'));
  t.equal(good.statusCode, 200);
  t.same(good.json(), {
    subject: 'admin',
    unit: 'dev',
    roles: ['auditor', 'oversight', 'unit_admin'],
  });

  const now = Math.floor(Date.now() / 1000);
  const otherSecret = createSigner({ key: 'another-secret-of-thirty-two-bytes!!', algorithm: 'HS256' });
  const validClaims = { sub: 'admin', unit: 'dev', iss: 'footage-warden-dev', aud: 'footage-warden', exp: now + 600 };
  const refused: Record<string, string | undefined> = {
    'no token': undefined,
    'a token signed with another key': otherSecret(validClaims),
    'an expired token': await service.token('admin', 'dev', -3600),
    'a token with alg none': unsigned(validClaims),
    garbage: 'not.a.token',
  };
  const { loadOrCreateDevelopmentTokenSecret } = await import('../../src/keys/key-files.js');
  const secret = await loadOrCreateDevelopmentTokenSecret(service.dataDir);
  const devSigner = (claims: Record<string, unknown>) => createSigner({ key: secret, algorithm: 'HS256' })(claims);
  refused['a token for another audience'] = devSigner({ ...validClaims, aud: 'someone-else' });
  refused['a token from another issuer'] = devSigner({ ...validClaims, iss: 'elsewhere' });
  refused['a token without a unit claim'] = devSigner({ ...validClaims, unit: undefined });
  refused['a token without exp'] = devSigner({ ...validClaims, exp: undefined });
  refused['a token without iss'] = devSigner({ ...validClaims, iss: undefined });
  refused['a token without aud'] = devSigner({ ...validClaims, aud: undefined });
  refused['a token not valid before next hour'] = devSigner({ ...validClaims, nbf: now + 3600 });
  for (const [name, token] of Object.entries(refused)) {
    const response = await me(service, token);
    t.equal(response.statusCode, 401, name);
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${name}: problem+json`);
    t.equal(response.json().code, 'unauthenticated', `${name}: code`);
  }
});

t.test('a token within the clock skew of its expiry is still accepted', async (t) => {
  const service = await startTestService({ JWT_CLOCK_SKEW_SECONDS: '30' });
  t.teardown(() => service.close());
  const response = await me(service, await service.token('admin', 'dev', -10));
  t.equal(response.statusCode, 200);
});

t.test('RS256 and EdDSA public keys verify their own algorithm only', async (t) => {
  for (const [type, algorithm] of [
    ['rsa', 'RS256'],
    ['ed25519', 'EdDSA'],
  ] as const) {
    const pair = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
    const probe = await startTestService();
    const keyFile = path.join(probe.dataDir, 'token-key.pem');
    await writeFile(keyFile, pem(pair.publicKey, 'spki'));
    const service = await startTestService({ JWT_PUBLIC_KEY_FILE: keyFile, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
    t.teardown(async () => {
      await service.close();
      await probe.close();
    });
    const ok = await me(service, signWith(pair.privateKey, algorithm, { sub: 'zhang', unit: 'district-7' }));
    t.equal(ok.statusCode, 200, `${algorithm} token accepted`);
    t.same(ok.json().roles, [], 'roles come from the policy store, not the token');
    // HS/RS confusion: an HS256 token "signed" with the public key's PEM text must not verify.
    const confused = createSigner({ key: pem(pair.publicKey, 'spki'), algorithm: 'HS256' })({
      sub: 'zhang',
      unit: 'district-7',
      iss: ISSUER,
      aud: AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 60,
    });
    t.equal((await me(service, confused)).statusCode, 401, `${algorithm}: HS256 with the public key refused`);
    const stranger = generateKeyPairSync('ed25519');
    t.equal((await me(service, signWith(stranger.privateKey, 'EdDSA', { sub: 'x', unit: 'y' }))).statusCode, 401);
    for (const claim of ['iss', 'aud']) {
      const without = await me(
        service,
        signWith(pair.privateKey, algorithm, { sub: 'zhang', unit: 'district-7', [claim]: undefined }),
      );
      t.equal(without.statusCode, 401, `${algorithm}: a token without ${claim} is refused`);
      t.equal(without.json().code, 'unauthenticated');
      t.match(without.json().detail, new RegExp(`\\b${claim}\\b`), `${algorithm}: the answer names ${claim}`);
    }
  }
});

t.test('ES256 keys from a JWKS URL are cached and refetched for an unknown kid', async (t) => {
  const first = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const second = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const published = [{ ...first.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig' }];
  let fetches = 0;
  const server = createServer((_request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const service = await startTestService({ JWT_JWKS_URL: url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
  t.teardown(async () => {
    await service.close();
    server.close();
  });
  t.equal((await me(service, signWith(first.privateKey, 'ES256', { sub: 'a', unit: 'u' }, 'k1'))).statusCode, 200);
  t.equal((await me(service, signWith(first.privateKey, 'ES256', { sub: 'a', unit: 'u' }, 'k1'))).statusCode, 200);
  t.equal(fetches, 1, 'the set is fetched once and cached');
  published.push({ ...second.publicKey.export({ format: 'jwk' }), kid: 'k2', use: 'sig' });
  // The refetch interval (30 s) has not passed since the first fetch: an unknown kid is refused
  // without a new fetch, so forged kids cannot flood the identity provider.
  t.equal((await me(service, signWith(second.privateKey, 'ES256', { sub: 'a', unit: 'u' }, 'k2'))).statusCode, 401);
  t.equal(fetches, 1);
  t.equal((await me(service, signWith(first.privateKey, 'ES256', { sub: 'a', unit: 'u' }, 'nope'))).statusCode, 401);
  for (const claim of ['iss', 'aud']) {
    const token = signWith(first.privateKey, 'ES256', { sub: 'a', unit: 'u', [claim]: undefined }, 'k1');
    t.equal((await me(service, token)).statusCode, 401, `ES256: a token without ${claim} is refused`);
  }
});
