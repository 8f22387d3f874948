import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { readSigningKey } from '../keys/key-files.js';
import { cosignerKeyFor } from '../ledger/cosignature.js';
import { isKeyName, parseVerifierKey, type VerifierKey } from '../ledger/note.js';
import { buildWitnessServer } from '../witness/witness-server.js';
import { WitnessState } from '../witness/witness-state.js';
import { type CliCommand, UsageError } from './command.js';

/** Verifier keys from --log arguments and --logs-file lines (blank lines and "#" comments skipped). */
async function acceptedLogs(keys: readonly string[], file: string | undefined): Promise<VerifierKey[]> {
  const texts = [...keys];
  if (file !== undefined) {
    const lines = (await readFile(file, 'utf8')).split('\n').map((line) => line.trim());
    texts.push(...lines.filter((line) => line !== '' && !line.startsWith('#')));
  }
  if (texts.length === 0) throw new UsageError('name at least one log to witness (--log VKEY or --logs-file FILE)');
  return texts.map((text) => {
    try {
      return parseVerifierKey(text);
    } catch (error) {
      throw new UsageError(`log key ${JSON.stringify(text)}: ${(error as Error).message}`);
    }
  });
}

export const witnessCommand: CliCommand = {
  usage: 'witness --name NAME --key FILE --state FILE (--log VKEY... | --logs-file FILE) [--listen HOST:PORT] [--prefix PATH]',
  summary: 'run a C2SP tlog-witness that cosigns the named logs (until SIGINT or SIGTERM)',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        name: { type: 'string' },
        key: { type: 'string' },
        state: { type: 'string' },
        log: { type: 'string', multiple: true },
        'logs-file': { type: 'string' },
        listen: { type: 'string', default: '127.0.0.1:7380' },
        prefix: { type: 'string', default: '' },
      },
      strict: true,
    });
    if (values.name === undefined || !isKeyName(values.name))
      throw new UsageError('--name must name the witness (printable ASCII, no spaces or "+")');
    if (values.key === undefined) throw new UsageError('--key FILE: the witness key (keygen --witness)');
    if (values.state === undefined) throw new UsageError('--state FILE: where the witness keeps what it cosigned');
    if (values.prefix !== '' && (!values.prefix.startsWith('/') || values.prefix.endsWith('/'))) {
      throw new UsageError('--prefix starts with "/" and does not end with one');
    }
    const listen = /^(.+):([0-9]{1,5})$/.exec(values.listen);
    if (listen === null || Number(listen[2]) > 65535) throw new UsageError('--listen is HOST:PORT');
    const privateKey = await readSigningKey(values.key, 'the witness key');
    const logs = await acceptedLogs(values.log ?? [], values['logs-file']);
    const state = await WitnessState.open(values.state);
    const app = await buildWitnessServer({
      cosigner: { name: values.name, privateKey },
      logs,
      state,
      logger: pino({ level: io.env.LOG_LEVEL ?? 'info' }),
      prefix: values.prefix,
    });
    const address = await app.listen({ host: listen[1] as string, port: Number(listen[2]) });
    io.stderr(
      `witness ${cosignerKeyFor(values.name, privateKey).text}\nlistening on ${address}${values.prefix}/add-checkpoint\n`,
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await app.close();
    return 0;
  },
};
