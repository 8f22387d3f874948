/** The I/O a command of the command-line tool is given, with what it writes captured. */
import type { CliIo } from '../../src/cli/command.js';
import { type Environment, loadConfig } from '../../src/config.js';

export function capturedIo(env: Environment = {}): CliIo & { out: string; err: string } {
  const captured = {
    env,
    out: '',
    err: '',
    stdout(text: string) {
      captured.out += text;
    },
    stderr(text: string) {
      captured.err += text;
    },
    loadConfig: () => loadConfig(env),
  };
  return captured;
}
