/** The shape of one command of the command-line tool; commands receive their I/O, never `process`. */
import type { Config, Environment } from '../config.js';

export interface CliIo {
  readonly env: Environment;
  stdout(text: string): void;
  stderr(text: string): void;
  loadConfig(): Config;
}

export interface CliCommand {
  readonly usage: string;
  readonly summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Bad arguments: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
