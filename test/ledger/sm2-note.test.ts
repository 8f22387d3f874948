/**
 * Signed notes under the `shangmi` suite: SM2 with SM3 and the default distinguishing ID, signature
 * type 0xff "sm2-sm3". OpenSSL's command line (`openssl pkeyutl -rawin -digest sm3 -pkeyopt
 * distid:1234567812345678`) verifies the service's signatures, and the service verifies OpenSSL's.
 */
import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { NoteError, openNote, parseVerifierKey, signNote, verifierKeyFor } from '../../src/ledger/note.js';
import { sm2Point } from '../../src/ledger/sm2-signatures.js';

const openssl = spawnSync('openssl', ['version']).status === 0;
const TEXT = 'footage-warden.example/log\n7\nq6Xn9G7e5+X1Wc0wN3QbB8eRZl2lR8sW8e2qB5m5b0U=\n';
const DISTID = 'distid:1234567812345678';

t.test('an SM2 key signs a note that verifies under its verifier key, and nothing else', async (t) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const key = verifierKeyFor('footage-warden.example/log', privateKey);
  t.equal(key.algorithm, 'sm2-sm3');
  const point = sm2Point(privateKey);
  const typed = Buffer.concat([Buffer.from([0xff]), Buffer.from('sm2-sm3'), point]);
  t.equal(
    key.keyId.toString('hex'),
    createHash('sha256').update('footage-warden.example/log\n').update(typed).digest().subarray(0, 4).toString('hex'),
    'the key ID is the specification\'s recommended rule, with type 0xff ‖ "sm2-sm3"',
  );
  t.equal(key.text, `footage-warden.example/log+${key.keyId.toString('hex')}+${typed.toString('base64')}`);
  const parsed = parseVerifierKey(key.text);
  t.equal(parsed.algorithm, 'sm2-sm3');
  const note = signNote(TEXT, 'footage-warden.example/log', privateKey);
  t.equal(openNote(note, [parsed]).text, TEXT);
  const signature = Buffer.from(note.trim().split(' ').at(-1) as string, 'base64');
  t.equal(signature.subarray(0, 4).toString('hex'), key.keyId.toString('hex'), 'the signature starts with the key ID');
  t.equal(signature[4], 0x30, 'then a DER SEQUENCE');
  t.throws(() => openNote(note.replace('\n7\n', '\n8\n'), [parsed]), NoteError, 'another text does not verify');
  const other = verifierKeyFor('footage-warden.example/log', generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey);
  t.throws(() => openNote(note, [other]), NoteError, "another key's note is not this key's");
  t.throws(() => parseVerifierKey(key.text.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), NoteError, 'a wrong key ID');
  t.throws(() => parseVerifierKey(`${key.text.slice(0, -8)}AAAAAAA=`), NoteError, 'not a point');
  const ed = verifierKeyFor('footage-warden.example/log', generateKeyPairSync('ed25519').privateKey);
  t.equal(parseVerifierKey(ed.text).algorithm, 'ed25519', 'Ed25519 keys parse as before');
});

t.test(
  'OpenSSL verifies the SM2 signature of a note, and signs one the service verifies',
  { skip: !openssl && 'openssl is not installed' },
  async (t) => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-sm2-'));
    t.teardown(() => rm(directory, { recursive: true, force: true }));
    const file = (name: string) => path.join(directory, name);
    const run = (args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const note = signNote(TEXT, 'footage-warden.example/log', privateKey);
    await writeFile(file('text'), TEXT);
    await writeFile(file('signature'), Buffer.from(note.trim().split(' ').at(-1) as string, 'base64').subarray(4));
    await writeFile(file('key.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const verified = run([
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      file('key.pem'),
      '-rawin',
      '-digest',
      'sm3',
      '-pkeyopt',
      DISTID,
      '-in',
      file('text'),
      '-sigfile',
      file('signature'),
    ]);
    t.match(verified.stdout, /Signature Verified Successfully/, verified.stderr);

    t.equal(run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', file('openssl.pem')]).status, 0);
    t.equal(
      run([
        'pkeyutl',
        '-sign',
        '-inkey',
        file('openssl.pem'),
        '-rawin',
        '-digest',
        'sm3',
        '-pkeyopt',
        DISTID,
        '-in',
        file('text'),
        '-out',
        file('openssl.sig'),
      ]).status,
      0,
    );
    const theirs = verifierKeyFor('other.example/log', createPrivateKey(await readFile(file('openssl.pem'))));
    const line = `\u2014 other.example/log ${Buffer.concat([theirs.keyId, await readFile(file('openssl.sig'))]).toString('base64')}\n`;
    t.equal(openNote(`${TEXT}\n${line}`, [parseVerifierKey(theirs.text)]).text, TEXT, "OpenSSL's SM2 signature verifies here");
  },
);
