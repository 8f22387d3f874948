/**
 * SM2 signatures (GM/T 0003, GB/T 32918) with SM3 and the default distinguishing ID
 * `1234567812345678`, DER-encoded: what the `shangmi` suite signs checkpoints with. Node.js signs
 * with an SM2-curve key as ECDSA, not as SM2, so the signing and verifying are sm-crypto-v2's (on
 * the noble libraries); keys are node:crypto KeyObjects, generated and stored as any EC key.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/** The identifier after the signed-note signature type 0xff that names these signatures. */
export const SM2_SIGNATURE_NAME = 'sm2-sm3';
export const SM2_DISTINGUISHING_ID = '1234567812345678';

/** SubjectPublicKeyInfo up to the point: id-ecPublicKey with the SM2 curve (1.2.156.10197.1.301). */
const SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');
const POINT_BYTES = 65;

/** Whether a private or public key is an SM2 key (its SubjectPublicKeyInfo names the SM2 curve). */
export function isSm2Key(key: KeyObject): boolean {
  return key.asymmetricKeyType !== 'ed25519' && spkiOf(key) !== undefined;
}

function spkiOf(key: KeyObject): Buffer | undefined {
  try {
    const der = (key.type === 'private' ? createPublicKey(key) : key).export({ type: 'spki', format: 'der' });
    return der.length === SPKI_PREFIX.length + POINT_BYTES && der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)
      ? der
      : undefined;
  } catch {
    return undefined;
  }
}

/** The public point, 0x04 ‖ X ‖ Y (65 bytes), of an SM2 key. */
export function sm2Point(key: KeyObject): Buffer {
  const spki = spkiOf(key);
  if (spki === undefined) throw new RangeError('not an SM2 key');
  return Buffer.from(spki.subarray(SPKI_PREFIX.length));
}

/** The SM2 public key whose point is `point` (0x04 ‖ X ‖ Y). */
export function sm2PublicKey(point: Uint8Array): KeyObject {
  if (point.length !== POINT_BYTES || point[0] !== 0x04) throw new RangeError('an SM2 point is 0x04 ‖ X ‖ Y');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, point]), format: 'der', type: 'spki' });
}

/**
 * The private scalar d of an SM2 key, from its PKCS#8 form (whose ECPrivateKey holds version 1, then
 * d as 32 octets). Not SEC 1: Node.js reads an SM2 key from PEM as OpenSSL's SM2 type, which it
 * cannot export as SEC 1.
 */
function privateScalar(key: KeyObject): string {
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const at = der.indexOf(Buffer.from('0201010420', 'hex'));
  if (at < 0 || der.length < at + 37) throw new RangeError('not an SM2 private key');
  return der.subarray(at + 5, at + 37).toString('hex');
}

const scalars = new WeakMap<KeyObject, { d: string; point: string }>();

/** The DER-encoded SM2 signature of `message` (Z computed with the default distinguishing ID). */
export function sm2Sign(privateKey: KeyObject, message: Uint8Array): Buffer {
  let known = scalars.get(privateKey);
  if (known === undefined) {
    known = { d: privateScalar(privateKey), point: sm2Point(privateKey).toString('hex') };
    scalars.set(privateKey, known);
  }
  const signature = sm2.doSignature(message, known.d, {
    der: true,
    hash: true,
    publicKey: known.point,
    userId: SM2_DISTINGUISHING_ID,
  });
  return Buffer.from(signature, 'hex');
}

/** Whether `signature` (DER) is an SM2 signature of `message` by the key whose point is `point`. */
export function sm2Verify(point: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return sm2.doVerifySignature(message, Buffer.from(signature).toString('hex'), Buffer.from(point).toString('hex'), {
      der: true,
      hash: true,
      userId: SM2_DISTINGUISHING_ID,
    });
  } catch {
    return false;
  }
}
