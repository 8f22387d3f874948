import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { openNote, signNote, verifierKeyFor } from '../../src/ledger/note.js';

t.test('one key signing under two names gives each note the key ID of its own name', async (t) => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const first = verifierKeyFor('one.example/log', privateKey);
  const second = verifierKeyFor('two.example/log', privateKey);
  t.not(first.keyId.toString('hex'), second.keyId.toString('hex'));
  for (let round = 0; round < 2; round += 1) {
    t.equal(openNote(signNote('first\n', first.name, privateKey), [first]).key.text, first.text);
    t.equal(openNote(signNote('second\n', second.name, privateKey), [second]).key.text, second.text);
  }
  const other = generateKeyPairSync('ed25519').privateKey;
  t.throws(() => openNote(signNote('first\n', first.name, other), [first]), 'another key under the same name does not verify');
});
