import type { CliCommand } from './command.js';
import { importCommand } from './import.js';
import { keygenCommand } from './keygen.js';
import { migrateCommand } from './migrate.js';
import { reconcileCommand } from './reconcile.js';
import { tokenCommand } from './token.js';
import { verifyCommand } from './verify.js';
import { verifyReceiptCommand } from './verify-receipt.js';
import { witnessCommand } from './witness.js';

export { UsageError } from './command.js';

export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  token: tokenCommand,
  migrate: migrateCommand,
  keygen: keygenCommand,
  verify: verifyCommand,
  'verify-receipt': verifyReceiptCommand,
  import: importCommand,
  witness: witnessCommand,
  reconcile: reconcileCommand,
};
