import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { cosignerKeyFor, verifyCosignatures } from '../../src/ledger/cosignature.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { formatAddCheckpoint } from '../../src/ledger/witness-exchange.js';
import { buildWitnessServer } from '../../src/witness/witness-server.js';
import { WitnessState } from '../../src/witness/witness-state.js';
import { MemoryTree } from '../helpers/memory-tree.js';

const ORIGIN = 'test.footage-warden/witnessed';
const logKey = generateKeyPairSync('ed25519').privateKey;
const witnessKey = generateKeyPairSync('ed25519').privateKey;
const cosigner = cosignerKeyFor('regulator.example/w1', witnessKey);

function checkpointOf(tree: MemoryTree, size = tree.leaves.length, key = logKey, origin = ORIGIN): string {
  return signCheckpoint({ origin, size, root: tree.root(size) }, key);
}

function bodyOf(note: string): string {
  return note.slice(0, note.lastIndexOf('\n\n') + 1);
}

async function witness(t: { teardown(fn: () => unknown): void }, stateFile?: string) {
  const file = stateFile ?? path.join(await mkdtemp(path.join(tmpdir(), 'witness-')), 'state.json');
  const app = await buildWitnessServer({
    cosigner: { name: cosigner.name, privateKey: witnessKey },
    logs: [verifierKeyFor(ORIGIN, logKey)],
    state: await WitnessState.open(file),
    logger: false,
  });
  t.teardown(() => app.close());
  const add = (oldSize: number, proof: Buffer[], checkpoint: string) =>
    app.inject({ method: 'POST', url: '/add-checkpoint', payload: formatAddCheckpoint({ oldSize, proof, checkpoint }) });
  return { app, file, add };
}

t.test('a witness cosigns a first checkpoint and then only consistent extensions of it', async (t) => {
  const { add, file } = await witness(t);
  const tree = MemoryTree.random(5);
  const first = checkpointOf(tree);
  const answer = await add(0, [], first);
  t.equal(answer.statusCode, 200);
  const [cosignature] = verifyCosignatures(bodyOf(first), answer.body.trim().split('\n'), [cosigner]);
  t.ok(cosignature, 'the answer is a cosignature/v1 line by the witness on the checkpoint');
  t.ok(answer.body.endsWith('\n'));

  tree.grow(12);
  t.equal((await add(5, tree.consistency(5), checkpointOf(tree))).statusCode, 200, 'a consistent extension');
  const state = JSON.parse(await readFile(file, 'utf8'));
  t.equal(state.logs[ORIGIN].size, 17, 'persisted before answering');

  const fork = tree.forkedAt(3).grow(4);
  const forked = await add(17, fork.consistency(17), checkpointOf(fork));
  t.equal(forked.statusCode, 422, 'a checkpoint of a rewritten history is refused');
  const shorter = await add(17, [], checkpointOf(tree, 9));
  t.equal(shorter.statusCode, 400, 'the old size above the checkpoint size');
  const stale = await add(5, tree.consistency(5), checkpointOf(tree));
  t.equal(stale.statusCode, 409);
  t.equal(stale.headers['content-type'], 'text/x.tlog.size');
  t.equal(stale.body, '17\n', 'a 409 names the latest cosigned size');
  const sameSize = await add(17, [], checkpointOf(tree.forkedAt(16)));
  t.equal(sameSize.statusCode, 409, 'another root for the cosigned size');
  t.equal(sameSize.body, '17\n');
  t.equal((await add(17, [], checkpointOf(tree))).statusCode, 200, 'the same checkpoint again is cosigned again');
});

t.test('a witness refuses unknown logs, unverified signatures and malformed requests', async (t) => {
  const { add, app } = await witness(t);
  const tree = MemoryTree.random(3);
  t.equal((await add(0, [], checkpointOf(tree, 3, logKey, 'other.example/log'))).statusCode, 404);
  t.equal((await add(0, [], checkpointOf(tree, 3, generateKeyPairSync('ed25519').privateKey))).statusCode, 403);
  t.equal((await add(0, tree.consistency(1), checkpointOf(tree))).statusCode, 400, 'a proof from size 0');
  for (const payload of ['', 'old 01\n\nx', 'old 0\nnot-base64\n\nx', `old 0\n${checkpointOf(tree)}`]) {
    t.equal((await app.inject({ method: 'POST', url: '/add-checkpoint', payload })).statusCode, 400, JSON.stringify(payload));
  }
});

t.test('a restarted witness remembers what it cosigned', async (t) => {
  const first = await witness(t);
  const tree = MemoryTree.random(8);
  t.equal((await first.add(0, [], checkpointOf(tree))).statusCode, 200);
  await first.app.close();
  const second = await witness(t, first.file);
  const again = await second.add(0, [], checkpointOf(tree.forkedAt(2)));
  t.equal(again.statusCode, 409);
  t.equal(again.body, '8\n');
});

t.test('concurrent submissions cannot roll the witness back', async (t) => {
  const { add, file } = await witness(t);
  const tree = MemoryTree.random(4);
  t.equal((await add(0, [], checkpointOf(tree))).statusCode, 200);
  const small = new MemoryTree([...tree.leaves]).grow(1);
  tree.grow(10);
  const answers = await Promise.all([
    add(4, small.consistency(4), checkpointOf(small)),
    add(4, tree.consistency(4), checkpointOf(tree)),
  ]);
  t.same(
    answers.map((answer) => answer.statusCode),
    [200, 409],
    "the second sees the first one's size",
  );
  t.equal(JSON.parse(await readFile(file, 'utf8')).logs[ORIGIN].size, 5);
});
