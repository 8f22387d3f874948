/**
 * Key material on disk: the ledger's Ed25519 signing key and, in development, the HS256 token
 * secret. Development keys are created under DATA_DIR on first use (mode 0600) and reused.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isSm2Key } from '../ledger/sm2-signatures.js';
import type { SuiteName } from '../ledger/tree-hash.js';

export class KeyFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'KeyFileError';
  }
}

/** Development's ledger key: Ed25519 for the `c2sp` suite, SM2 for `shangmi`, each in its own file. */
export function developmentSigningKeyFile(dataDir: string, suite: SuiteName = 'c2sp'): string {
  return path.join(dataDir, 'keys', suite === 'shangmi' ? 'ledger-signing-key-sm2.pem' : 'ledger-signing-key.pem');
}

export function developmentMasterKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'personal-data-key');
}

/** A fresh 32-byte personal-data master key, base64 with a newline. */
export function generateMasterKeyText(): string {
  return `${randomBytes(32).toString('base64')}\n`;
}

export async function readMasterKey(file: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new KeyFileError(file, `cannot read the personal-data key (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== text.trim())
    throw new KeyFileError(file, 'the personal-data key must be 32 bytes in base64');
  return key;
}

export async function loadOrCreateDevelopmentMasterKey(dataDir: string): Promise<Buffer> {
  const file = developmentMasterKeyFile(dataDir);
  await readOrCreate(file, generateMasterKeyText);
  return readMasterKey(file);
}

export function developmentTokenSecretFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'token-secret');
}

/** A PKCS#8 PEM of a fresh signing key: Ed25519 (`c2sp`), or SM2 (`shangmi`: an EC key on the SM2 curve). */
export function generateSigningKeyPem(suite: SuiteName = 'c2sp'): string {
  const { privateKey } = suite === 'shangmi' ? generateKeyPairSync('ec', { namedCurve: 'SM2' }) : generateKeyPairSync('ed25519');
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function developmentPlaybackKeyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'playback-token-key.pem');
}

/**
 * An Ed25519 private key from a PKCS#8 PEM file, or with `sm2` also an SM2 one (a ledger key of the
 * `shangmi` suite); `what` names the key in errors.
 */
export async function readSigningKey(file: string, what = 'the ledger signing key', sm2 = false): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    throw new KeyFileError(file, `cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new KeyFileError(file, 'not a PEM private key');
  }
  if (key.asymmetricKeyType === 'ed25519' || (sm2 && isSm2Key(key))) return key;
  throw new KeyFileError(file, `${what} must be Ed25519${sm2 ? ' or SM2' : ''}`);
}

async function readOrCreate(file: string, create: () => string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const content = create();
  try {
    await writeFile(file, content, { mode: 0o600, flag: 'wx' });
    return content;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFile(file, 'utf8');
    throw error;
  }
}

export async function loadOrCreateDevelopmentSigningKey(dataDir: string, suite: SuiteName = 'c2sp'): Promise<KeyObject> {
  const file = developmentSigningKeyFile(dataDir, suite);
  await readOrCreate(file, () => generateSigningKeyPem(suite));
  return readSigningKey(file, 'the ledger signing key', true);
}

export async function loadOrCreateDevelopmentPlaybackKey(dataDir: string): Promise<KeyObject> {
  const file = developmentPlaybackKeyFile(dataDir);
  await readOrCreate(file, () => generateSigningKeyPem());
  return readSigningKey(file, 'the playback token key');
}

export async function loadOrCreateDevelopmentTokenSecret(dataDir: string): Promise<Buffer> {
  const file = developmentTokenSecretFile(dataDir);
  const encoded = await readOrCreate(file, () => `${randomBytes(32).toString('base64url')}\n`);
  const secret = Buffer.from(encoded.trim(), 'base64url');
  if (secret.length < 32) throw new KeyFileError(file, 'the token secret must hold at least 32 bytes');
  return secret;
}
