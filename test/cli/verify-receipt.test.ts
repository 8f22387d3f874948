import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { UsageError } from '../../src/cli/command.js';
import { keygenCommand } from '../../src/cli/keygen.js';
import { verifyReceiptCommand } from '../../src/cli/verify-receipt.js';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { cosign, cosignerKeyFor } from '../../src/ledger/cosignature.js';
import { leafHash } from '../../src/ledger/hashes.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { formatProofFile } from '../../src/ledger/proof-file.js';
import { capturedIo } from '../helpers/cli-io.js';
import { MemoryTree } from '../helpers/memory-tree.js';

const ORIGIN = 'footage-warden.test/receipts';

const io = () => capturedIo();

const logKey = generateKeyPairSync('ed25519').privateKey;
const witnesses = [1, 2].map((n) => {
  const privateKey = generateKeyPairSync('ed25519').privateKey;
  return { privateKey, key: cosignerKeyFor(`regulator.test/w${n}`, privateKey) };
});

async function receipt(cosigners: typeof witnesses, tamper = false): Promise<string> {
  const entry = Buffer.from('{"kind":"decision.made","seq":3}');
  const tree = MemoryTree.random(9);
  tree.leaves[3] = leafHash(entry);
  const note = signCheckpoint({ origin: ORIGIN, size: 9, root: tree.root() }, logKey);
  const body = note.slice(0, note.lastIndexOf('\n\n') + 1);
  const cosigned = note + cosigners.map((witness) => cosign(body, witness.key.name, witness.privateKey, 1_790_000_000)).join('');
  const text = formatProofFile({
    index: 3,
    hashes: tree.inclusion(3),
    extra: tamper ? Buffer.from('{}') : entry,
    checkpoint: cosigned,
  });
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'receipt-')), 'entry-3.tlog-proof');
  await writeFile(file, text);
  return file;
}

const KEY = verifierKeyFor(ORIGIN, logKey).text;
const W = witnesses.flatMap((witness) => ['--witness', witness.key.text]);

t.test('verify-receipt checks the entry, its inclusion, the log signature and the witness quorum', async (t) => {
  let cli = io();
  t.equal(await verifyReceiptCommand.run([await receipt(witnesses), '--key', KEY, ...W], cli), 0, cli.out);
  t.match(cli.out, /^ok: entry 3 is in footage-warden\.test\/receipts at tree size 9, cosigned by at least 2/);

  cli = io();
  t.equal(await verifyReceiptCommand.run([await receipt(witnesses.slice(0, 1)), '--key', KEY, ...W], cli), 1);
  t.match(cli.out, /fewer than 2 of the witnesses/);
  cli = io();
  t.equal(
    await verifyReceiptCommand.run([await receipt(witnesses.slice(0, 1)), '--key', KEY, ...W, '--witness-quorum', '1'], cli),
    0,
  );

  cli = io();
  t.equal(await verifyReceiptCommand.run([await receipt(witnesses, true), '--key', KEY], cli), 1, 'other entry bytes');
  t.match(cli.out, /^FAILED: the inclusion proof does not reach the checkpoint root/);
  const otherKey = verifierKeyFor(ORIGIN, generateKeyPairSync('ed25519').privateKey).text;
  cli = io();
  t.equal(await verifyReceiptCommand.run([await receipt(witnesses), '--key', otherKey], cli), 1, 'another log key');
});

t.test('verify-receipt refuses unusable arguments', async (t) => {
  const file = await receipt(witnesses);
  await t.rejects(verifyReceiptCommand.run([file], io()), UsageError, 'no key');
  await t.rejects(
    verifyReceiptCommand.run([file, '--key', KEY, '--witness', KEY], io()),
    UsageError,
    'a log key is not a witness key',
  );
  await t.rejects(verifyReceiptCommand.run([file, '--key', KEY, ...W, '--witness-quorum', '3'], io()), UsageError);
  await t.rejects(verifyReceiptCommand.run([file, '--key', KEY, '--witness-quorum', '1'], io()), UsageError);
});

t.test('keygen --witness prints a cosigner verifier key of type 0x04', async (t) => {
  const cli = io();
  t.equal(await keygenCommand.run(['--witness', 'regulator.test/w9'], cli), 0);
  t.match(cli.err, /^witness verifier key: regulator\.test\/w9\+[0-9a-f]{8}\+B[A-P]/);
  await t.rejects(keygenCommand.run(['--witness', 'bad name'], io()), UsageError);
  await t.rejects(keygenCommand.run(['--witness', 'w', '--playback'], io()), UsageError);
});
