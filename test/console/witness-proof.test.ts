import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { cosignedBy, parseCosignerKey, verifyConsistency } from '../../console/src/witness-proof.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { cosign, cosignerKeyFor } from '../../src/ledger/cosignature.js';
import { MemoryTree } from '../helpers/memory-tree.js';

t.test("the console's consistency check agrees with the service's proofs for every pair of sizes up to 20", async (t) => {
  const tree = MemoryTree.random(20);
  let checked = 0;
  for (let n = 1; n <= 20; n += 1) {
    for (let m = 1; m <= n; m += 1) {
      const proof = tree.consistency(m, n);
      if (!(await verifyConsistency(m, n, tree.root(m), tree.root(n), proof))) t.fail(`${m} → ${n}`);
      const forked = tree.forkedAt(m - 1);
      if (await verifyConsistency(m, n, forked.root(m), tree.root(n), proof)) t.fail(`a forked ${m} → ${n} verified`);
      checked += 1;
    }
  }
  t.equal(checked, 210);
  t.notOk(await verifyConsistency(5, 4, tree.root(5), tree.root(4), []), 'a shrinking tree');
});

t.test('the console counts only valid cosignatures by the witness keys it is given', async (t) => {
  const logKey = generateKeyPairSync('ed25519').privateKey;
  const tree = MemoryTree.random(7);
  const note = signCheckpoint({ origin: 'console.test/log', size: 7, root: tree.root() }, logKey);
  const body = note.slice(0, note.lastIndexOf('\n\n') + 1);
  const witnesses = ['w.test/1', 'w.test/2', 'w.test/3'].map((name) => {
    const privateKey = generateKeyPairSync('ed25519').privateKey;
    return { name, privateKey, key: cosignerKeyFor(name, privateKey) };
  });
  const cosigned = note + witnesses.map((w) => cosign(body, w.name, w.privateKey, 1_800_000_000)).join('');
  const keys = await Promise.all(witnesses.slice(0, 2).map((w) => parseCosignerKey(w.key.text)));
  t.same(await cosignedBy(cosigned, keys), ['w.test/1', 'w.test/2']);
  const tampered = cosigned.replace(`${tree.root().toString('base64')}`, tree.forkedAt(0).root().toString('base64'));
  t.same(await cosignedBy(tampered, keys), [], 'not on another body');
  await t.rejects(parseCosignerKey(note.split('\n')[0] as string), 'not a key');
});
