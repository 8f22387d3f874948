/**
 * SM4-CTR with HMAC-SM3 (encrypt-then-MAC): the platform's SM4 against GB/T 32907's vector, the
 * construction against OpenSSL's command line (`openssl enc -sm4-ctr`, `openssl mac HMAC` with
 * SM3, `openssl kdf HKDF`), and every alteration refused.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import t from 'tap';
import { Sm4AeadError, sm4Open, sm4Seal } from '../../src/ledger/sm4-aead.js';

const openssl = spawnSync('openssl', ['version']).status === 0;

function run(args: string[], input?: Uint8Array): Buffer {
  const done = spawnSync('openssl', args, input === undefined ? {} : { input });
  if (done.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${done.stderr}`);
  return done.stdout;
}

t.test("the platform's SM4 is GB/T 32907's (appendix A, example 1)", async (t) => {
  const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
  const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
  const out = Buffer.concat([cipher.update(key), cipher.final()]);
  t.equal(out.toString('hex'), '681edf34d206965e86b3e94f536e4246');
});

t.test('sealed values open under their key and context only', async (t) => {
  const key = Buffer.alloc(32, 7);
  const aad = Buffer.from('footage-warden/sealed-value/v1\n12\n/payload/person/name\nsubject-1');
  const { nonce: iv, sealed } = sm4Seal(key, Buffer.from('王小明'), aad);
  t.equal(sealed.length, Buffer.byteLength('王小明') + 32);
  t.equal(sm4Open(key, iv, sealed, aad).toString(), '王小明');
  t.throws(() => sm4Open(Buffer.alloc(32, 8), iv, sealed, aad), Sm4AeadError, 'another key');
  t.throws(() => sm4Open(key, iv, sealed, Buffer.from('another context')), Sm4AeadError, 'another context');
  for (let i = 0; i < sealed.length; i += 1) {
    const altered = Buffer.from(sealed);
    altered[i] = (altered[i] as number) ^ 1;
    t.throws(() => sm4Open(key, iv, altered, aad), Sm4AeadError, `byte ${i} altered`);
  }
  const otherIv = Buffer.from(iv);
  otherIv[0] = (otherIv[0] as number) ^ 1;
  t.throws(() => sm4Open(key, otherIv, sealed, aad), Sm4AeadError, 'another nonce');
  t.throws(() => sm4Open(key, iv, sealed.subarray(0, 31), aad), Sm4AeadError, 'too short');
  t.throws(() => sm4Seal(Buffer.alloc(16), Buffer.from('x'), aad), RangeError, 'a 16-byte key is not a sealing key');
  t.not(
    sm4Seal(key, Buffer.from('x'), aad).nonce.toString('hex'),
    sm4Seal(key, Buffer.from('x'), aad).nonce.toString('hex'),
    'fresh nonces',
  );
});

t.test('OpenSSL computes the same keys, ciphertext and tag', { skip: !openssl && 'openssl is not installed' }, async (t) => {
  const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
  const iv = Buffer.from('f0f1f2f3f4f5f6f7f8f9fafb', 'hex');
  const aad = Buffer.from('context');
  const plaintext = Buffer.from('a value longer than one SM4 block, so the counter moves on');
  const { sealed } = sm4Seal(key, plaintext, aad, iv);
  const hkdf = (info: string, length: number) =>
    run([
      'kdf',
      '-keylen',
      String(length),
      '-kdfopt',
      'digest:SM3',
      '-kdfopt',
      `hexkey:${key.toString('hex')}`,
      '-kdfopt',
      'salt:',
      '-kdfopt',
      `info:${info}`,
      '-binary',
      'HKDF',
    ]);
  const encryption = hkdf('footage-warden/sm4-ctr/v1', 16);
  const mac = hkdf('footage-warden/hmac-sm3/v1', 32);
  const ciphertext = run(
    ['enc', '-sm4-ctr', '-K', encryption.toString('hex'), '-iv', `${iv.toString('hex')}00000000`],
    plaintext,
  );
  t.same(sealed.subarray(0, plaintext.length), ciphertext, 'SM4-CTR');
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(aad.length));
  const tag = run(
    ['mac', '-digest', 'SM3', '-macopt', `hexkey:${mac.toString('hex')}`, '-binary', 'HMAC'],
    Buffer.concat([length, aad, iv, ciphertext]),
  );
  t.same(sealed.subarray(plaintext.length), tag, 'HMAC-SM3 over the length of AAD, AAD, nonce and ciphertext');
});
