import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { type Checkpoint, parseCheckpointBody } from '../ledger/checkpoint.js';
import { ExportFormatError } from '../ledger/export-format.js';
import { NoteError, openNote } from '../ledger/note.js';
import { verifyExportLines } from '../ledger/verify-export.js';
import { type CliCommand, UsageError } from './command.js';
import { logKeys, WITNESS_OPTIONS, witnessPolicy } from './witness-options.js';

export const verifyCommand: CliCommand = {
  usage: 'verify EXPORT [--key VKEY]... [--trusted-checkpoint FILE] [--witness VKEY]... [--witness-quorum N]',
  summary: 'verify a ledger export offline (exit 0 holds, 1 fails, 2 unusable input)',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { key: { type: 'string', multiple: true }, 'trusted-checkpoint': { type: 'string' }, ...WITNESS_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError('name exactly one export file');
    const keys = logKeys(values.key);
    const witnesses = witnessPolicy(values.witness, values['witness-quorum']);
    let trusted: Checkpoint | undefined;
    const trustedFile = values['trusted-checkpoint'];
    if (trustedFile !== undefined) {
      if (keys.length === 0) throw new UsageError('--trusted-checkpoint needs --key to check its signature');
      try {
        const note = await readFile(trustedFile, 'utf8');
        trusted = parseCheckpointBody(openNote(note, keys).text);
      } catch (error) {
        throw new UsageError(`--trusted-checkpoint: ${(error as Error).message}`);
      }
    }
    const file = positionals[0] as string;
    const stream = createReadStream(file, { encoding: 'utf8' });
    const opened = new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    try {
      await opened;
    } catch (error) {
      throw new UsageError(`${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    let result: Awaited<ReturnType<typeof verifyExportLines>>;
    try {
      result = await verifyExportLines(lines, {
        keys,
        ...(trusted === undefined ? {} : { trusted }),
        ...(witnesses === undefined ? {} : { witnesses }),
      });
    } catch (error) {
      if (error instanceof ExportFormatError || error instanceof NoteError) throw new UsageError(`${file}: ${error.message}`);
      throw error;
    } finally {
      stream.destroy();
    }
    if (keys.length === 0) io.stderr('warning: no --key given; trusting the keys the export names itself\n');
    if (result.ok && witnesses !== undefined && result.witnessedSize === undefined) {
      io.stdout(`FAILED: no checkpoint of the export is cosigned by ${witnesses.quorum} of the given witnesses\n`);
      return 1;
    }
    if (result.ok) {
      const witnessed =
        witnesses === undefined
          ? ''
          : `; witnessed through size ${result.witnessedSize} by ${witnesses.quorum} of ${witnesses.keys.length} witness(es)`;
      io.stdout(
        `ok: ${result.origin}, ${result.treeSize} entries, ${result.checkpointsChecked} checkpoints, root ${result.root}${witnessed}\n`,
      );
      return 0;
    }
    const failure = result.firstFailure;
    io.stdout(
      `FAILED at entry ${failure?.seq}: ${failure?.check} (expected ${failure?.expected}, found ${failure?.actual}); ${result.entriesChecked} entries held before it\n`,
    );
    return 1;
  },
};
