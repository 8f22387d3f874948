/**
 * The witness's judgement for a `shangmi` log: its checkpoints are signed with SM2 and its tree
 * hashed with SM3, so consistency proofs are SM3 proofs. The witness's own cosignature stays
 * Ed25519 (c2sp.org/tlog-cosignature).
 */
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { consistencyRanges, TreeFrontier } from '../../src/ledger/tree.js';
import { SHANGMI_TREE_HASH } from '../../src/ledger/tree-hash.js';
import { judgeAddCheckpoint } from '../../src/witness/add-checkpoint.js';

const ORIGIN = 'footage-warden.test/shangmi';

t.test('a witness cosigns an SM2-signed SM3 log and refuses a proof taken with SHA-256', async (t) => {
  const logKey = generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey;
  const cosigner = { name: 'witness.test/w1', privateKey: generateKeyPairSync('ed25519').privateKey };
  const leaves = Array.from({ length: 7 }, (_, n) => SHANGMI_TREE_HASH.leaf(Buffer.from(`entry ${n}`)));
  const rootOf = (size: number, sha256 = false) => {
    const frontier = sha256 ? new TreeFrontier() : new TreeFrontier(SHANGMI_TREE_HASH);
    for (const leaf of leaves.slice(0, size)) frontier.append(leaf);
    return frontier.root();
  };
  const checkpoint = (size: number) => signCheckpoint({ origin: ORIGIN, size, root: rootOf(size) }, logKey);
  const keys = [verifierKeyFor(ORIGIN, logKey)];
  const first = judgeAddCheckpoint({ oldSize: 0, proof: [], checkpoint: checkpoint(3) }, keys, undefined, cosigner, new Date());
  t.equal(first.status, 200);
  const proofOf = (sha256: boolean) =>
    consistencyRanges(3, 7).map((range) => {
      const frontier = sha256 ? new TreeFrontier() : new TreeFrontier(SHANGMI_TREE_HASH);
      for (const leaf of leaves.slice(range.start, range.end)) frontier.append(leaf);
      return frontier.root();
    });
  const latest = { size: 3, root: rootOf(3) };
  const next = judgeAddCheckpoint(
    { oldSize: 3, proof: proofOf(false), checkpoint: checkpoint(7) },
    keys,
    latest,
    cosigner,
    new Date(),
  );
  t.equal(next.status, 200, 'an SM3 consistency proof verifies');
  const wrong = judgeAddCheckpoint(
    { oldSize: 3, proof: proofOf(true), checkpoint: checkpoint(7) },
    keys,
    latest,
    cosigner,
    new Date(),
  );
  t.equal(wrong.status, 422, 'a SHA-256 proof of an SM3 log does not');
  const forged = judgeAddCheckpoint(
    {
      oldSize: 0,
      proof: [],
      checkpoint: signCheckpoint(
        { origin: ORIGIN, size: 3, root: rootOf(3) },
        generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey,
      ),
    },
    keys,
    undefined,
    cosigner,
    new Date(),
  );
  t.equal(forged.status, 403, "another SM2 key's checkpoint is not the log's");
});
