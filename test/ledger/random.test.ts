import t from 'tap';
import { pooledRandomBytes } from '../../src/ledger/random.js';
import { randomSalt, SALT_SIZE } from '../../src/ledger/sealing.js';

t.test('pooled random bytes are fresh on every call, across pool refills', async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(randomSalt().toString('hex'));
  t.equal(seen.size, 1000, 'a thousand salts (several pools) are all distinct');
  t.equal(randomSalt().length, SALT_SIZE);
  t.equal(pooledRandomBytes(12).length, 12);
  t.equal(pooledRandomBytes(10_000).length, 10_000, 'larger than the pool');
  const a = pooledRandomBytes(32);
  const before = Buffer.from(a);
  pooledRandomBytes(32);
  t.same(a, before, 'handed-out bytes are copies the pool does not touch again');
});
