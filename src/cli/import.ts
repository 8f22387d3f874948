import { readFile } from 'node:fs/promises';
import { POLICY_FILE } from '../policy/enforcer.js';
import { loadRegulationProfile } from '../profiles.js';
import { changeContexts, openRecorder } from '../recorder.js';
import { openDatabase } from '../storage/database.js';
import { migrateToLatest } from '../storage/migrate.js';
import { ImportError, importRegistry, parseRegistryDocument } from '../workflows/registry-import.js';
import { type CliCommand, UsageError } from './command.js';

/** Who the ledger names as the author of imported changes. */
const IMPORT_ACTOR = { subject: 'footage-warden-import', unit: null } as const;

export const importCommand: CliCommand = {
  usage: 'import FILE',
  summary: 'load registry records and role assignments from YAML or JSON (idempotent; each change is a ledger entry)',
  async run(args, io) {
    if (args.length !== 1) throw new UsageError('name exactly one YAML or JSON file');
    const file = args[0] as string;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    let document: ReturnType<typeof parseRegistryDocument>;
    try {
      document = parseRegistryDocument(text);
    } catch (error) {
      if (error instanceof ImportError) throw new UsageError(`${file}: ${error.message}`);
      throw error;
    }
    const config = io.loadConfig();
    const database = await openDatabase(config);
    let recorder: Awaited<ReturnType<typeof openRecorder>> | undefined;
    try {
      if (config.migrateOnStart) await migrateToLatest(database.db);
      recorder = await openRecorder(config, database.db);
      const { registryContext, roleContext } = changeContexts(
        database.db,
        recorder.writer,
        await readFile(POLICY_FILE, 'utf8'),
        await loadRegulationProfile(config),
      );
      const summary = await importRegistry(registryContext, roleContext, IMPORT_ACTOR, document);
      io.stdout(`created ${summary.created}, updated ${summary.updated}, unchanged ${summary.unchanged}\n`);
      return 0;
    } finally {
      await recorder?.appender.close();
      await database.close();
    }
  },
};
