/** `footage-warden witness` as a regulator runs it: a process with its own key and state file. */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { cosignerKeyFor, verifyCosignatures } from '../../src/ledger/cosignature.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { formatAddCheckpoint } from '../../src/ledger/witness-exchange.js';
import { MemoryTree } from '../helpers/memory-tree.js';

const CLI = path.resolve('src/cli/main.ts');

t.test('the witness process cosigns a listed log, keeps its state in its file, and stops on SIGTERM', async (t) => {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'witness-process-'));
  const witnessKey = generateKeyPairSync('ed25519').privateKey;
  await writeFile(path.join(directory, 'witness.pem'), witnessKey.export({ format: 'pem', type: 'pkcs8' }).toString(), {
    mode: 0o600,
  });
  const logKey = generateKeyPairSync('ed25519').privateKey;
  const origin = 'footage-warden.test/process';
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      CLI,
      'witness',
      '--name',
      'regulator.test/w1',
      '--key',
      path.join(directory, 'witness.pem'),
      '--state',
      path.join(directory, 'state.json'),
      '--log',
      verifierKeyFor(origin, logKey).text,
      '--listen',
      '127.0.0.1:0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /listening on (http:\/\/[^\s]+)\/add-checkpoint/.exec(stderr);
      if (match !== null) resolve(match[1] as string);
    });
    child.on('exit', () => reject(new Error(stderr)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = await listening;
  t.match(stderr, new RegExp(`^witness ${cosignerKeyFor('regulator.test/w1', witnessKey).text.replaceAll('+', '\\+')}\\n`));

  const tree = MemoryTree.random(6);
  const checkpoint = signCheckpoint({ origin, size: 6, root: tree.root() }, logKey);
  const answer = await fetch(`${base}/add-checkpoint`, {
    method: 'POST',
    body: formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint }),
  });
  t.equal(answer.status, 200);
  const body = checkpoint.slice(0, checkpoint.lastIndexOf('\n\n') + 1);
  t.equal(
    verifyCosignatures(body, (await answer.text()).trim().split('\n'), [cosignerKeyFor('regulator.test/w1', witnessKey)]).length,
    1,
  );
  t.equal(JSON.parse(await readFile(path.join(directory, 'state.json'), 'utf8')).logs[origin].size, 6);
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});
