/**
 * Authenticated encryption with SM4 (GB/T 32907) where the platform offers no SM4-GCM (OpenSSL 3.0,
 * which Node.js 20 carries, has SM4 in ECB, CBC, CFB, OFB and CTR only): SM4-CTR, then HMAC-SM3
 * over what was encrypted — encrypt-then-MAC.
 *
 *   K_enc = HKDF-SM3(K, salt = "", info = "footage-warden/sm4-ctr/v1", 16 bytes)
 *   K_mac = HKDF-SM3(K, salt = "", info = "footage-warden/hmac-sm3/v1", 32 bytes)
 *   N     = 12 random bytes (the nonce, stored beside the value as the vault's AES-GCM nonce is)
 *   C     = SM4-CTR(K_enc, N ‖ 0x00000000, P)    the initial counter block; 2^32 blocks per value
 *   T     = HMAC-SM3(K_mac, uint64be(len(AAD)) ‖ AAD ‖ N ‖ C)   all 32 bytes
 *   sealed = C ‖ T
 *
 * Opening checks T (in constant time) before it decrypts anything. K is 32 bytes, as the vault's
 * master and data keys are.
 */
import { createCipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SM4_NONCE_BYTES = 12;
export const SM4_TAG_BYTES = 32;

export class Sm4AeadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Sm4AeadError';
  }
}

function keys(key: Uint8Array): { encryption: Buffer; mac: Buffer } {
  if (key.length !== 32) throw new RangeError('an SM4 sealing key is 32 bytes');
  const derive = (info: string, length: number) => Buffer.from(hkdfSync('sm3', key, Buffer.alloc(0), info, length));
  return { encryption: derive('footage-warden/sm4-ctr/v1', 16), mac: derive('footage-warden/hmac-sm3/v1', 32) };
}

function tag(macKey: Buffer, aad: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(aad.length));
  return createHmac('sm3', macKey).update(length).update(aad).update(iv).update(ciphertext).digest();
}

function ctr(encryptionKey: Buffer, nonce: Uint8Array, bytes: Uint8Array): Buffer {
  const cipher = createCipheriv('sm4-ctr', encryptionKey, Buffer.concat([nonce, Buffer.alloc(4)]));
  return Buffer.concat([cipher.update(bytes), cipher.final()]);
}

/** Seals `plaintext` bound to `aad`; `nonce` is drawn at random unless given (tests only). */
export function sm4Seal(
  key: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array = randomBytes(SM4_NONCE_BYTES),
): { nonce: Buffer; sealed: Buffer } {
  if (nonce.length !== SM4_NONCE_BYTES) throw new RangeError('an SM4-CTR nonce is 12 bytes');
  const { encryption, mac } = keys(key);
  const ciphertext = ctr(encryption, nonce, plaintext);
  return { nonce: Buffer.from(nonce), sealed: Buffer.concat([ciphertext, tag(mac, aad, nonce, ciphertext)]) };
}

/** Opens what `sm4Seal` sealed under the same key and `aad`; throws Sm4AeadError otherwise. */
export function sm4Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (nonce.length !== SM4_NONCE_BYTES || sealed.length < SM4_TAG_BYTES) throw new Sm4AeadError('not a sealed value');
  const { encryption, mac } = keys(key);
  const ciphertext = sealed.subarray(0, sealed.length - SM4_TAG_BYTES);
  const expected = tag(mac, aad, nonce, ciphertext);
  if (!timingSafeEqual(expected, sealed.subarray(sealed.length - SM4_TAG_BYTES))) {
    throw new Sm4AeadError('the value does not authenticate: wrong key, altered, or another context');
  }
  return ctr(encryption, nonce, ciphertext);
}
