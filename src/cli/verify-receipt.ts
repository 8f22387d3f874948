import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { checkpointOrigin } from '../ledger/checkpoint.js';
import { NoteError } from '../ledger/note.js';
import { ProofFileError, parseProofFile, verifyProofFile } from '../ledger/proof-file.js';
import { meetsQuorum } from '../ledger/verify-export.js';
import { type CliCommand, UsageError } from './command.js';
import { logKeys, WITNESS_OPTIONS, witnessPolicy } from './witness-options.js';

export const verifyReceiptCommand: CliCommand = {
  usage: 'verify-receipt FILE --key VKEY [--witness VKEY]... [--witness-quorum N]',
  summary: 'verify one .tlog-proof receipt offline: the entry, its inclusion, the signature and the cosignatures',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      options: { key: { type: 'string', multiple: true }, ...WITNESS_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 1) throw new UsageError('name exactly one receipt file');
    if (values.key === undefined || values.key.length === 0) throw new UsageError('--key: the log verifier key is required');
    const keys = logKeys(values.key);
    const witnesses = witnessPolicy(values.witness, values['witness-quorum']);
    const file = positionals[0] as string;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    try {
      const proof = parseProofFile(text);
      const origin = checkpointOrigin(proof.checkpoint);
      const checkpoint = verifyProofFile(text, origin, keys);
      if (witnesses !== undefined && !meetsQuorum(proof.checkpoint, witnesses)) {
        io.stdout(
          `FAILED: entry ${proof.index} is in ${origin} at size ${checkpoint.size}, but fewer than ${witnesses.quorum} of the witnesses cosigned that checkpoint\n`,
        );
        return 1;
      }
      const witnessed = witnesses === undefined ? '' : `, cosigned by at least ${witnesses.quorum} witness(es)`;
      io.stdout(`ok: entry ${proof.index} is in ${origin} at tree size ${checkpoint.size}${witnessed}\n`);
      return 0;
    } catch (error) {
      if (error instanceof ProofFileError || error instanceof NoteError) {
        io.stdout(`FAILED: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  },
};
