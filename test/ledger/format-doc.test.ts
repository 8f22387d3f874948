import { readFile } from 'node:fs/promises';
import t from 'tap';
import { parseVerifierKey } from '../../src/ledger/note.js';
import { verifyProofFile } from '../../src/ledger/proof-file.js';
import { EXAMPLE_ORIGIN, workedExample } from '../fixtures/worked-example.js';

t.test('docs/ledger-format.md shows exactly the bytes and hashes of its worked example', async (t) => {
  const doc = await readFile('docs/ledger-format.md', 'utf8');
  const example = workedExample();
  const shown = (value: string, what: string) => t.ok(doc.includes(value), `the document shows ${what}`);
  shown(example.verifier, 'the verifier key');
  example.entries.forEach((entry, seq) => {
    shown(entry.bytes, `entry ${seq}'s bytes`);
    shown(entry.leaf, `entry ${seq}'s leaf hash`);
  });
  shown(example.node01, 'node (1, 0)');
  shown(example.root, 'the root');
  shown(example.checkpoint.trimEnd(), 'the signed checkpoint');
  for (const hash of example.inclusion) shown(hash, 'an inclusion proof hash');
  shown(example.receipt.trimEnd(), 'the receipt');
  const checkpoint = verifyProofFile(example.receipt, EXAMPLE_ORIGIN, [parseVerifierKey(example.verifier)]);
  t.equal(checkpoint.size, 3, 'the example receipt verifies');
});
