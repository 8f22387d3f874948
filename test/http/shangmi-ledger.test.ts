/**
 * A service created with CRYPTO_SUITE=shangmi, checked from outside: entry 0 records the suite,
 * checkpoints verify under OpenSSL's SM2, OpenSSL's SM3 recomputes every leaf and the root from an
 * export, the offline verifiers accept it, personal data round-trips through the SM4 vault, and a
 * service configured for the other suite refuses the log.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { verifyCommand } from '../../src/cli/verify.js';
import { verifyReceiptCommand } from '../../src/cli/verify-receipt.js';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/config-error.js';
import { generateSigningKeyPem } from '../../src/keys/key-files.js';
import { splitPoint } from '../../src/ledger/tree.js';
import { openRecorder } from '../../src/recorder.js';
import { capturedIo } from '../helpers/cli-io.js';
import { exampleDistrict, startTestService } from '../helpers/service.js';

const openssl = spawnSync('openssl', ['version']).status === 0;

function sm3(bytes: Uint8Array): Buffer {
  const done = spawnSync('openssl', ['dgst', '-sm3', '-binary'], { input: bytes });
  if (done.status !== 0) throw new Error(String(done.stderr));
  return done.stdout;
}

/** RFC 9162's MTH with every SM3 taken by OpenSSL, from leaf hashes. */
function rootOf(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0] as Buffer;
  const k = splitPoint(leaves.length);
  return sm3(Buffer.concat([Buffer.from([0x01]), rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k))]));
}

t.test(
  'a shangmi log, verified with OpenSSL and the offline verifiers',
  { skip: !openssl && 'openssl is not installed' },
  async (t) => {
    const service = await startTestService({ CRYPTO_SUITE: 'shangmi' });
    t.teardown(() => service.close());
    await service.setUp(await exampleDistrict());
    const { app } = service.service;
    const auditor = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
    const wang = { authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}` };
    for (const camera of ['cam-square-north', 'cam-square-south', 'cam-river-road']) {
      const decided = await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: wang,
        payload: { camera_id: camera, action: 'live', purpose: 'public_safety', reason: 'watch' },
      });
      t.equal(decided.statusCode, 200);
    }

    const first = await app.inject({ method: 'GET', url: '/v1/ledger/entries/0', headers: auditor });
    t.match(
      first.json().entry,
      { seq: 0, kind: 'ledger.created', payload: { suite: 'shangmi', tree_hash: 'sm3' } },
      'entry 0 records the suite',
    );

    const vkey = (await app.inject({ method: 'GET', url: '/v1/ledger/key' })).body.trim();
    t.match(vkey, /^[^+]+\+[0-9a-f]{8}\+/);
    t.equal(
      Buffer.from(vkey.split('+')[2] as string, 'base64')
        .subarray(0, 8)
        .toString('latin1'),
      '\xffsm2-sm3',
      'type 0xff "sm2-sm3"',
    );
    const pem = (await app.inject({ method: 'GET', url: '/v1/ledger/key?format=pem' })).body;
    t.match(pem, /^-----BEGIN PUBLIC KEY-----/);

    const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-shangmi-'));
    t.teardown(() => rm(directory, { recursive: true, force: true }));
    const file = (name: string) => path.join(directory, name);
    const note = (await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' })).body;
    const split = note.lastIndexOf('\n\n');
    await writeFile(file('checkpoint.txt'), note.slice(0, split + 1));
    const line = note.slice(split + 2).split('\n')[0] as string;
    await writeFile(file('checkpoint.sig'), Buffer.from(line.split(' ').at(-1) as string, 'base64').subarray(4));
    await writeFile(file('log.pem'), pem);
    const verified = spawnSync(
      'openssl',
      [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        file('log.pem'),
        '-rawin',
        '-digest',
        'sm3',
        '-pkeyopt',
        'distid:1234567812345678',
        '-in',
        file('checkpoint.txt'),
        '-sigfile',
        file('checkpoint.sig'),
      ],
      { encoding: 'utf8' },
    );
    t.match(verified.stdout, /Signature Verified Successfully/, 'OpenSSL verifies the checkpoint signature');

    const exported = await app.inject({ method: 'GET', url: '/v1/ledger/export', headers: auditor });
    t.equal(exported.statusCode, 200);
    const lines = exported.body
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    const entries = lines.filter((item) => item.type === 'entry').map((item) => Buffer.from(item.canonical as string, 'base64'));
    const leaves = entries.map((bytes) => sm3(Buffer.concat([Buffer.from([0x00]), bytes])));
    for (const [seq, bytes] of entries.entries()) {
      const prev = (JSON.parse(bytes.toString('utf8')) as { prev: string }).prev;
      t.equal(
        prev,
        seq === 0 ? '0'.repeat(64) : (leaves[seq - 1] as Buffer).toString('hex'),
        `entry ${seq} names the SM3 leaf before it`,
      );
    }
    const checkpoints = lines.filter((item) => item.type === 'checkpoint');
    const last = checkpoints.at(-1) as { tree_size: number; note: string };
    const rootLine = last.note.split('\n')[2] as string;
    t.equal(
      rootOf(leaves.slice(0, last.tree_size)).toString('base64'),
      rootLine,
      "OpenSSL's SM3 recomputes the checkpoint's root",
    );

    await writeFile(file('export.ndjson'), exported.body);
    let io = capturedIo();
    t.equal(await verifyCommand.run([file('export.ndjson'), '--key', vkey], io), 0, `${io.out}${io.err}`);
    const receipt = await app.inject({ method: 'GET', url: '/v1/ledger/entries/2/receipt', headers: auditor });
    t.equal(receipt.statusCode, 200);
    await writeFile(file('entry-2.tlog-proof'), receipt.body);
    io = capturedIo();
    t.equal(await verifyReceiptCommand.run([file('entry-2.tlog-proof'), '--key', vkey], io), 0, `${io.out}${io.err}`);
    const verification = await app.inject({ method: 'POST', url: '/v1/ledger/verifications', headers: auditor, payload: {} });
    const verdict = JSON.parse(verification.body.trim().split('\n').at(-1) as string);
    t.match(verdict, { result: { ok: true } }, 'the stored log verifies');

    // Personal data: the decision's person is sealed with an SM3 commitment and kept in the SM4 vault.
    const opened = await app.inject({ method: 'GET', url: '/v1/ledger/entries?kind=decision.made&open=true', headers: auditor });
    t.equal(opened.statusCode, 200, opened.body);
    t.ok(
      (opened.json().items as Array<{ opened?: unknown[] }>).some((item) => (item.opened ?? []).length > 0),
      'sealed values open from the SM4 vault and match their SM3 commitments',
    );

    const c2sp = loadConfig({ NODE_ENV: 'test', DATA_DIR: directory, CRYPTO_SUITE: 'c2sp' });
    const refused = await openRecorder(c2sp, service.database.handle.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    t.type(refused, ConfigError, 'a service configured for c2sp refuses the shangmi log');
    t.match(
      String((refused as Error).message),
      /^CRYPTO_SUITE: is c2sp, but this ledger was created with the shangmi suite/,
      'naming both',
    );
    await writeFile(file('ed25519.pem'), generateSigningKeyPem('c2sp'));
    const mismatched = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: directory,
      CRYPTO_SUITE: 'shangmi',
      LEDGER_SIGNING_KEY_FILE: file('ed25519.pem'),
    });
    const keyRefused = await openRecorder(mismatched, service.database.handle.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    t.match(String((keyRefused as Error).message), /^LEDGER_SIGNING_KEY_FILE: holds an Ed25519 key, but CRYPTO_SUITE is shangmi/);
  },
);
