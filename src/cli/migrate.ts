import { openDatabase } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { type CliCommand, UsageError } from './command.js';

export const migrateCommand: CliCommand = {
  usage: 'migrate',
  summary: 'apply pending database migrations (DATABASE_URL or the embedded database)',
  async run(args, io) {
    if (args.length > 0) throw new UsageError('migrate takes no arguments');
    const config = io.loadConfig();
    // A migration may rewrite a large table: the command waits as long as it takes.
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrateToLatest(database.db);
      io.stdout(applied.length === 0 ? 'no pending migrations\n' : `applied: ${applied.join(', ')}\n`);
      return 0;
    } finally {
      await database.close();
    }
  },
};
