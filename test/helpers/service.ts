/** A composed service on a fresh test database, with its log lines captured. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { composeService, type Service } from '../../src/compose.js';
import { type Environment, loadConfig } from '../../src/config.js';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { mintDevelopmentToken } from '../../src/keys/development-token.js';
import { loadOrCreateDevelopmentTokenSecret } from '../../src/keys/key-files.js';
import { createLogger } from '../../src/observability/logger.js';
import { POLICY_FILE } from '../../src/policy/enforcer.js';
import { changeContexts, SERVICE_ACTOR } from '../../src/recorder.js';
import {
  type ImportSummary,
  importRegistry,
  parseRegistryDocument,
  type RegistryDocument,
} from '../../src/workflows/registry-import.js';
import { openTestDatabase, type TestDatabase, type TestDatabaseOptions } from './database.js';

export interface TestService {
  readonly service: Service;
  readonly database: TestDatabase;
  readonly dataDir: string;
  readonly logs: string[];
  /** A development token for `subject` of `unit`. */
  token(subject: string, unit: string, ttlSeconds?: number): Promise<string>;
  /** Loads registry records and role assignments as the import command would, and applies them. */
  setUp(document: RegistryDocument): Promise<ImportSummary>;
  /** How many entries the ledger holds. */
  entryCount(): Promise<number>;
  /** The kind and reference of the newest entry. */
  lastEntry(): Promise<{ kind: string; ref: string | null }>;
  close(): Promise<void>;
}

export async function startTestService(
  env: Environment = {},
  options: Pick<TestDatabaseOptions, 'readFromSelf'> = {},
): Promise<TestService> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-test-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const database = await openTestDatabase({ queryTimeoutMs: config.databaseQueryTimeoutMs, ...options });
  const service = await composeService(config, createLogger(config.logLevel, sink), { database: database.handle });
  return {
    service,
    database,
    dataDir: config.dataDir,
    logs,
    async token(subject, unit, ttlSeconds = 600) {
      const secret = await loadOrCreateDevelopmentTokenSecret(config.dataDir);
      return mintDevelopmentToken(secret, {
        subject,
        unit,
        ttlSeconds,
        issuer: config.auth.issuer,
        audience: config.auth.audience,
        unitClaim: config.auth.unitClaim,
      });
    },
    async setUp(document) {
      const contexts = changeContexts(
        database.handle.db,
        service.writer,
        await readFile(POLICY_FILE, 'utf8'),
        service.context.profile,
      );
      const summary = await importRegistry(contexts.registryContext, contexts.roleContext, SERVICE_ACTOR, document);
      await service.access.refresh();
      return summary;
    },
    async entryCount() {
      const row = await database.handle.db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    lastEntry() {
      return database.handle.db
        .selectFrom('ledger_entries')
        .select(['kind', 'ref'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
    },
    async close() {
      await service.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The example district's registry, with role assignments added to its own (a gateway, an auditor). */
export async function exampleDistrict(
  roles: ReadonlyArray<{ subject: string; role: string; unit_id: string }> = [],
): Promise<RegistryDocument> {
  const document = parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8'));
  return { ...document, role_assignments: [...(document.role_assignments ?? []), ...roles] };
}
