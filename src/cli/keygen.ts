import { createPrivateKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generateMasterKeyText, generateSigningKeyPem } from '../keys/key-files.js';
import { cosignerKeyFor } from '../ledger/cosignature.js';
import { isKeyName, verifierKeyFor } from '../ledger/note.js';
import { SUITE_NAMES, type SuiteName } from '../ledger/tree-hash.js';
import { type CliCommand, type CliIo, UsageError } from './command.js';

export const keygenCommand: CliCommand = {
  usage: 'keygen (--origin ORIGIN | --witness NAME | --personal-data | --playback) [--suite c2sp|shangmi] [--out FILE]',
  summary:
    'generate the ledger signing key (Ed25519, or SM2 with --suite shangmi) or a witness key (each prints its verifier key), the personal-data master key or the playback token key',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        origin: { type: 'string' },
        out: { type: 'string' },
        'personal-data': { type: 'boolean', default: false },
        playback: { type: 'boolean', default: false },
        witness: { type: 'string' },
        suite: { type: 'string' },
      },
      strict: true,
    });
    const suite = values.suite ?? io.env.CRYPTO_SUITE ?? 'c2sp';
    if (!(SUITE_NAMES as readonly string[]).includes(suite)) throw new UsageError(`--suite is ${SUITE_NAMES.join(' or ')}`);
    const kinds = [values['personal-data'], values.playback, values.origin !== undefined, values.witness !== undefined].filter(
      Boolean,
    ).length;
    if (kinds > 1) throw new UsageError('--origin, --witness, --personal-data and --playback make different keys: name one');
    if (values.witness !== undefined) {
      if (!isKeyName(values.witness))
        throw new UsageError('--witness must name the witness: printable ASCII without spaces or "+"');
      const pem = generateSigningKeyPem();
      await writeKey(values.out, pem, io);
      io.stderr(`witness verifier key: ${cosignerKeyFor(values.witness, createPrivateKey(pem)).text}\n`);
      return 0;
    }
    if (values['personal-data']) {
      // 32 random bytes under either suite: AES-256-GCM's key, or the key SM4's and HMAC-SM3's are derived from.
      await writeKey(values.out, generateMasterKeyText(), io);
      if (suite === 'shangmi') io.stderr('master key for SM4-CTR with HMAC-SM3 (keys derived with HKDF-SM3; docs/privacy.md)\n');
      return 0;
    }
    if (values.playback) {
      await writeKey(values.out, generateSigningKeyPem(), io);
      return 0;
    }
    const origin = values.origin ?? io.env.LEDGER_ORIGIN;
    if (origin === undefined || !isKeyName(origin)) {
      throw new UsageError('--origin (or LEDGER_ORIGIN) must name the log: printable ASCII without spaces or "+"');
    }
    const pem = generateSigningKeyPem(suite as SuiteName);
    await writeKey(values.out, pem, io);
    io.stderr(`verifier key: ${verifierKeyFor(origin, createPrivateKey(pem)).text}\n`);
    return 0;
  },
};

/** Writes key text to `out` (mode 0600, never over an existing file) or to standard output. */
async function writeKey(out: string | undefined, text: string, io: CliIo): Promise<void> {
  if (out === undefined) {
    io.stdout(text);
    return;
  }
  try {
    await writeFile(out, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${out} exists; refusing to overwrite a key`);
    throw error;
  }
}
