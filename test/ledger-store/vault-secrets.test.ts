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
