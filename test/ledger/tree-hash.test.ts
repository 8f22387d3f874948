/**
 * The two suites' tree hashes: SHA-256 and SM3 against their published test vectors, and an SM3
 * tree — leaves, root, inclusion and consistency proofs — recomputed by OpenSSL's own SM3
 * (`openssl dgst -sm3`), an implementation independent of the service's.
 */
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { encodeEntry } from '../../src/ledger/entry.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/proofs.js';
import { consistencyRanges, inclusionRanges, splitPoint, TreeFrontier } from '../../src/ledger/tree.js';
import { C2SP_TREE_HASH, SHANGMI_TREE_HASH, treeHashOf } from '../../src/ledger/tree-hash.js';

const openssl = spawnSync('openssl', ['version']).status === 0;

function opensslSm3(bytes: Uint8Array): Buffer {
  const done = spawnSync('openssl', ['dgst', '-sm3', '-binary'], { input: bytes });
  if (done.status !== 0) throw new Error(`openssl dgst -sm3 failed: ${done.stderr}`);
  return done.stdout;
}

/** RFC 9162 §2.1.1's MTH over entries, every hash taken by OpenSSL. */
function opensslRoot(entries: readonly Uint8Array[]): Buffer {
  if (entries.length === 0) return opensslSm3(Buffer.alloc(0));
  if (entries.length === 1) return opensslSm3(Buffer.concat([Buffer.from([0x00]), entries[0] as Uint8Array]));
  const k = splitPoint(entries.length);
  return opensslSm3(Buffer.concat([Buffer.from([0x01]), opensslRoot(entries.slice(0, k)), opensslRoot(entries.slice(k))]));
}

t.test("SHA-256 and SM3 give their standards' test vectors", async (t) => {
  t.equal(
    C2SP_TREE_HASH.digest(Buffer.from('abc')).toString('hex'),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  // GB/T 32905-2016, appendix A.1 and A.2.
  t.equal(
    SHANGMI_TREE_HASH.digest(Buffer.from('abc')).toString('hex'),
    '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
  );
  t.equal(
    SHANGMI_TREE_HASH.digest(Buffer.from('abcd'.repeat(16))).toString('hex'),
    'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
  );
  t.equal(
    SHANGMI_TREE_HASH.digest(Buffer.from('ab'), Buffer.from('c')).toString('hex'),
    SHANGMI_TREE_HASH.digest(Buffer.from('abc')).toString('hex'),
  );
  t.equal(treeHashOf('shangmi'), SHANGMI_TREE_HASH);
  t.equal(treeHashOf('c2sp'), C2SP_TREE_HASH);
});

t.test(
  'an SM3 log: entries chained, leaves, root and proofs as OpenSSL computes them',
  { skip: !openssl && 'openssl is not installed' },
  async (t) => {
    const entries: Buffer[] = [];
    let prev: Buffer | undefined;
    const frontier = new TreeFrontier(SHANGMI_TREE_HASH);
    for (let seq = 0; seq < 7; seq += 1) {
      const encoded = encodeEntry(
        { kind: 'test.entry', time: '2026-11-30T10:00:00.000Z', actor: { unit: 'u', subject: 's' }, payload: { n: seq } },
        seq,
        prev,
        SHANGMI_TREE_HASH,
      );
      t.same(encoded.leaf, opensslSm3(Buffer.concat([Buffer.from([0x00]), encoded.bytes])), `leaf ${seq} is SM3(0x00 ‖ entry)`);
      t.equal(
        encoded.entry.prev,
        prev === undefined ? '0'.repeat(64) : prev.toString('hex'),
        `entry ${seq} names the SM3 leaf before it`,
      );
      entries.push(encoded.bytes);
      frontier.append(encoded.leaf);
      prev = encoded.leaf;
    }
    const root = frontier.root();
    t.same(root, opensslRoot(entries), 'the root is MTH with SM3');
    t.notSame(root, new TreeFrontier().root(), 'and not the SHA-256 one');

    const leaves = entries.map((bytes) => SHANGMI_TREE_HASH.leaf(bytes));
    for (let m = 0; m < entries.length; m += 1) {
      const path = inclusionRanges(m, entries.length).map((range) => opensslRoot(entries.slice(range.start, range.end)));
      t.ok(verifyInclusion(m, entries.length, leaves[m] as Buffer, path, root, SHANGMI_TREE_HASH), `inclusion of ${m}`);
      t.notOk(verifyInclusion(m, entries.length, leaves[m] as Buffer, path, root), `not under SHA-256`);
    }
    for (let m = 1; m < entries.length; m += 1) {
      const path = consistencyRanges(m, entries.length).map((range) => opensslRoot(entries.slice(range.start, range.end)));
      t.ok(
        verifyConsistency(m, entries.length, opensslRoot(entries.slice(0, m)), root, path, SHANGMI_TREE_HASH),
        `consistency ${m} → 7`,
      );
    }
    t.same(SHANGMI_TREE_HASH.emptyTree, opensslSm3(Buffer.alloc(0)), 'the empty tree is SM3 of nothing');
  },
);
