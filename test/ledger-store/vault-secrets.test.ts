import { randomBytes } from 'node:crypto';
import t from 'tap';
import { Vault } from '../../src/ledger-store/vault.js';

t.test('a secret sealed for one purpose and id opens only for them, and only under the master key', async (t) => {
  const vault = new Vault(randomBytes(32));
  const sealed = vault.sealSecret('webhook-secret', 'sub-1', 'the secret');
  t.match(sealed, /^v1:[A-Za-z0-9+/]+=*$/);
  t.notOk(sealed.includes('the secret'));
  t.equal(vault.openSecret('webhook-secret', 'sub-1', sealed), 'the secret');
  t.not(vault.sealSecret('webhook-secret', 'sub-1', 'the secret'), sealed, 'a fresh nonce each time');
  t.throws(() => vault.openSecret('webhook-secret', 'sub-2', sealed), { code: 'sealed-value-unreadable' }, 'another id');
  t.throws(() => vault.openSecret('other', 'sub-1', sealed), { code: 'sealed-value-unreadable' }, 'another purpose');
  t.throws(() => new Vault(randomBytes(32)).openSecret('webhook-secret', 'sub-1', sealed), { code: 'sealed-value-unreadable' });
  t.throws(() => vault.openSecret('webhook-secret', 'sub-1', 'plain'), { code: 'sealed-value-unreadable' }, 'not sealed');
});

t.test('under the shangmi suite, secrets and search tokens are SM4 and SM3, and neither suite opens the other', async (t) => {
  const key = randomBytes(32);
  const sm4 = new Vault(key, 'shangmi');
  const aes = new Vault(key, 'c2sp');
  const sealed = sm4.sealSecret('webhook-secret', 'sub-1', 'the secret');
  t.equal(sm4.openSecret('webhook-secret', 'sub-1', sealed), 'the secret');
  t.equal(
    Buffer.from(sealed.slice(3), 'base64').length,
    12 + 'the secret'.length + 32,
    'a 12-byte nonce, the ciphertext, a 32-byte HMAC-SM3 tag',
  );
  t.throws(() => sm4.openSecret('webhook-secret', 'sub-2', sealed), { code: 'sealed-value-unreadable' }, 'another id');
  t.throws(
    () => aes.openSecret('webhook-secret', 'sub-1', sealed),
    { code: 'sealed-value-unreadable' },
    'AES-GCM does not open SM4',
  );
  t.throws(
    () => sm4.openSecret('webhook-secret', 'sub-1', aes.sealSecret('webhook-secret', 'sub-1', 'the secret')),
    { code: 'sealed-value-unreadable' },
    'nor SM4 AES-GCM',
  );
  t.not(sm4.searchToken('case', 'RP-C-7'), aes.searchToken('case', 'RP-C-7'), 'search tokens are HMAC-SM3, not HMAC-SHA-256');
  t.equal(sm4.searchToken('case', 'RP-C-7'), new Vault(key, 'shangmi').searchToken('case', 'RP-C-7'));
});
