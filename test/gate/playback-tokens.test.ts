import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import t from 'tap';
import { isPlaybackToken, type PlaybackGrant, PlaybackTokens } from '../../src/gate/playback-tokens.js';

const { privateKey } = generateKeyPairSync('ed25519');
const tokens = new PlaybackTokens(privateKey, 'warden.example/ledger');
const grant: PlaybackGrant = {
  decisionId: '7f1c0c43-6a0e-4c55-a1e4-3b8d2f0f6a11',
  person: 'op-wang',
  unit: 'riverside-psb',
  camera: 'cam-square-north',
  window: { from: '2026-11-28T10:00:00.000Z', to: '2026-11-28T11:00:00.000Z' },
  actions: ['playback'],
  obligations: ['MASK_SENSITIVE_INFORMATION'],
  expiresAt: Math.floor(Date.now() / 1000) * 1000 + 900_000,
};

t.test('a playback token carries its decision back intact', async (t) => {
  const token = tokens.issue(grant);
  t.ok(isPlaybackToken(token));
  t.same(tokens.check(token), grant);
  t.same(tokens.check(tokens.issue({ ...grant, window: null, actions: ['live'] })), {
    ...grant,
    window: null,
    actions: ['live'],
  });
});

t.test('the token verifies against the published JWK alone (RFC 8037 EdDSA)', async (t) => {
  const token = tokens.issue(grant);
  const [header, payload, signature] = token.split('.') as [string, string, string];
  t.same(JSON.parse(Buffer.from(header, 'base64url').toString()), {
    alg: 'EdDSA',
    typ: 'fw-playback+jwt',
    kid: tokens.jwk.kid,
  });
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: tokens.jwk.x }, format: 'jwk' });
  t.ok(verify(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')));
  t.match(JSON.parse(Buffer.from(payload, 'base64url').toString()), {
    iss: 'warden.example/ledger',
    aud: 'footage-warden-gateway',
    jti: grant.decisionId,
    cam: grant.camera,
  });
});

t.test('forged, altered, foreign and expired tokens are not accepted', async (t) => {
  const token = tokens.issue(grant);
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const altered = Buffer.from(payload, 'base64url').toString().replace('cam-square-north', 'cam-square-south');
  t.equal(tokens.check(`${header}.${Buffer.from(altered).toString('base64url')}.${signature}`), undefined, 'altered payload');
  const other = new PlaybackTokens(generateKeyPairSync('ed25519').privateKey, 'warden.example/ledger');
  t.equal(tokens.check(other.issue(grant)), undefined, 'another key');
  const otherIssuer = new PlaybackTokens(privateKey, 'elsewhere.example/ledger');
  t.equal(tokens.check(otherIssuer.issue(grant)), undefined, 'another issuer');
  t.equal(tokens.check(tokens.issue({ ...grant, expiresAt: Date.now() - 60_000 })), undefined, 'expired');
  t.equal(tokens.check('not.a.token'), undefined);
  t.notOk(isPlaybackToken('eyJhbGciOiJIUzI1NiJ9.e30.x'), 'an ordinary JWT is not a playback token');
  t.throws(() => new PlaybackTokens(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'x'));
});

t.test('the key id is the RFC 7638 thumbprint', async (t) => {
  // RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key.
  const { createPrivateKey } = await import('node:crypto');
  const example = createPrivateKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
    },
    format: 'jwk',
  });
  t.equal(new PlaybackTokens(example, 'x').jwk.kid, 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
});
