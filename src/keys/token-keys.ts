/** The keys that verify bearer tokens, from the configuration: the development secret, a PEM key or a JWKS. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Config } from '../config.js';
import type { TokenKeys } from '../http/authenticate.js';
import { JwksKeySource } from '../http/jwks.js';
import {
  KeyFileError,
  loadOrCreateDevelopmentPlaybackKey,
  loadOrCreateDevelopmentTokenSecret,
  readSigningKey,
} from './key-files.js';

export async function loadTokenKeys(config: Config): Promise<TokenKeys> {
  const verification = config.auth.verification;
  switch (verification.kind) {
    case 'development-secret':
      return { kind: 'secret', secret: await loadOrCreateDevelopmentTokenSecret(config.dataDir) };
    case 'public-key': {
      let pem: string;
      try {
        pem = await readFile(verification.pemFile, 'utf8');
      } catch {
        throw new KeyFileError(verification.pemFile, 'cannot read the token verification key');
      }
      try {
        return { kind: 'public-key', key: createPublicKey(pem) };
      } catch {
        throw new KeyFileError(verification.pemFile, 'not a PEM public key');
      }
    }
    case 'jwks':
      return { kind: 'jwks', source: new JwksKeySource({ url: verification.url }) };
  }
}

/** The key signing playback tokens: the configured file, or in development one kept under DATA_DIR. */
export function loadPlaybackKey(config: Config): Promise<KeyObject> {
  const file = config.gate.playbackTokenKeyFile;
  return file === undefined ? loadOrCreateDevelopmentPlaybackKey(config.dataDir) : readSigningKey(file, 'the playback token key');
}
