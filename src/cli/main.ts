#!/usr/bin/env node
/**
 * footage-warden, the command-line tool. Exit codes: 0 done, 1 the work failed (for `verify`: the
 * ledger does not hold), 2 unusable input or configuration.
 */
import { ConfigError, loadConfig } from '../config.js';
import { KeyFileError } from '../keys/key-files.js';
import { COMMANDS, UsageError } from './commands.js';

const USAGE = `usage: footage-warden <command> [options]

commands:
${Object.values(COMMANDS)
  .map((command) => `  ${command.usage.padEnd(64)} ${command.summary}`)
  .join('\n')}
`;

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`footage-warden: unknown command "${name}"\n${USAGE}`);
    return 2;
  }
  try {
    return await command.run(rest, {
      env: process.env,
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      loadConfig: () => loadConfig(process.env),
    });
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof KeyFileError) {
      process.stderr.write(`footage-warden ${name}: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`footage-warden ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
