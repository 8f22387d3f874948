import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import {
  fromHex,
  openCheckpoint,
  ProofError,
  parseVerifierKey,
  rootFromInclusionProof,
  toHex,
  verifyInclusion,
} from '../../console/src/ledger-proof.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { leafHash, nodeHash } from '../../src/ledger/hashes.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { inclusionRanges, type LeafRange, splitPoint } from '../../src/ledger/tree.js';

function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const hashesOf = (leaves: Buffer[], ranges: LeafRange[]) => ranges.map((range) => mth(leaves.slice(range.start, range.end)));
const entries = Array.from({ length: 33 }, (_, index) => Buffer.from(`{"seq":${index}}`));
const leaves = entries.map((entry) => leafHash(entry));

t.test("the console's inclusion check agrees with the service's proofs for every leaf of trees up to 33", async (t) => {
  let checked = 0;
  for (let size = 1; size <= leaves.length; size += 1) {
    const root = mth(leaves.slice(0, size));
    for (let index = 0; index < size; index += 1) {
      const path = hashesOf(leaves.slice(0, size), inclusionRanges(index, size));
      const computed = await rootFromInclusionProof(index, size, leaves[index] as Buffer, path);
      if (toHex(computed) !== root.toString('hex')) t.fail(`leaf ${index} of ${size}`);
      checked += 1;
    }
  }
  t.equal(checked, 561);
});

t.test('a changed byte, a wrong index or a cut path fails', async (t) => {
  const size = 13;
  const checkpoint = { origin: 'x', size, root: mth(leaves.slice(0, size)) };
  const path = hashesOf(leaves.slice(0, size), inclusionRanges(6, size)).map((hash) => hash.toString('hex'));
  t.same(await verifyInclusion(entries[6] as Buffer, 6, checkpoint, path), {
    ok: true,
    leafHash: (leaves[6] as Buffer).toString('hex'),
  });
  const changed = Buffer.from(entries[6] as Buffer);
  changed.writeUInt8((changed[2] as number) ^ 1, 2);
  t.match(await verifyInclusion(changed, 6, checkpoint, path), { ok: false, problem: /another root/ });
  t.match(await verifyInclusion(entries[6] as Buffer, 7, checkpoint, path), { ok: false });
  t.match(await verifyInclusion(entries[6] as Buffer, 6, checkpoint, path.slice(1)), { ok: false, problem: /shorter/ });
  t.match(await verifyInclusion(entries[6] as Buffer, 6, checkpoint, [...path, path[0] as string]), {
    ok: false,
    problem: /longer/,
  });
  t.match(await verifyInclusion(entries[6] as Buffer, 13, checkpoint, path), { ok: false, problem: /outside/ });
});

t.test("a checkpoint signed by the service's key opens with its verifier key, and nothing else does", async (t) => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = verifierKeyFor('warden.example/ledger', privateKey);
  const root = mth(leaves.slice(0, 5));
  const note = signCheckpoint({ origin: 'warden.example/ledger', size: 5, root }, privateKey);
  const parsed = await parseVerifierKey(key.text);
  const opened = await openCheckpoint(note, parsed);
  t.same(
    { origin: opened.origin, size: opened.size, root: toHex(opened.root) },
    { origin: 'warden.example/ledger', size: 5, root: root.toString('hex') },
  );
  await t.rejects(openCheckpoint(note.replace('\n5\n', '\n6\n'), parsed), ProofError, 'a changed size');
  const other = await parseVerifierKey(verifierKeyFor('warden.example/ledger', generateKeyPairSync('ed25519').privateKey).text);
  await t.rejects(openCheckpoint(note, other), /no valid signature/, 'another key');
  await t.rejects(parseVerifierKey(key.text.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), /key id/);
  await t.rejects(parseVerifierKey('name+00000000'), ProofError);
  t.throws(() => fromHex('abc'), ProofError);
});
