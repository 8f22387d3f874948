import { createPrivateKey } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { generateSigningKeyPem } from '../keys/key-files.js';
import { isKeyName, verifierKeyFor } from '../ledger/note.js';
import { type CliCommand, UsageError } from './command.js';

export const keygenCommand: CliCommand = {
  usage: 'keygen --origin ORIGIN [--out FILE]',
  summary: 'generate an Ed25519 ledger signing key; print its verifier key',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { origin: { type: 'string' }, out: { type: 'string' } }, strict: true });
    const origin = values.origin ?? io.env.LEDGER_ORIGIN;
    if (origin === undefined || !isKeyName(origin)) {
      throw new UsageError('--origin (or LEDGER_ORIGIN) must name the log: printable ASCII without spaces or "+"');
    }
    const pem = generateSigningKeyPem();
    const verifier = verifierKeyFor(origin, createPrivateKey(pem)).text;
    if (values.out === undefined) {
      io.stdout(pem);
    } else {
      try {
        await writeFile(values.out, pem, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST')
          throw new UsageError(`${values.out} exists; refusing to overwrite a key`);
        throw error;
      }
    }
    io.stderr(`verifier key: ${verifier}\n`);
    return 0;
  },
};
