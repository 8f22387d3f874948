/**
 * The composition root: from a Config, open the database, apply migrations, load keys and policy,
 * and build the app. `close` releases everything in reverse order.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { type Config, ConfigError } from './config.js';
import { LedgerWriter } from './domain/ledger-writer.js';
import { parseClassification } from './domain/personal-fields.js';
import type { TokenKeys } from './http/authenticate.js';
import { JwksKeySource } from './http/jwks.js';
import {
  KeyFileError,
  loadOrCreateDevelopmentMasterKey,
  loadOrCreateDevelopmentSigningKey,
  loadOrCreateDevelopmentTokenSecret,
  readMasterKey,
  readSigningKey,
} from './keys/key-files.js';
import { parseVerifierKey, verifierKeyFor } from './ledger/note.js';
import { createLedgerMetrics } from './observability/ledger-metrics.js';
import { createMetrics } from './observability/metrics.js';
import { packagePath } from './package-root.js';
import { casbinPolicy, createEnforcer, developmentAdminAssignments } from './policy/enforcer.js';
import { type DatabaseHandle, openDatabase } from './storage/database.js';
import { LedgerAppender } from './storage/ledger-appender.js';
import { latestCheckpoint } from './storage/ledger-repository.js';
import { migrateToLatest } from './storage/migrate.js';
import { Vault } from './storage/vault.js';

export interface Service {
  readonly app: FastifyInstance;
  readonly database: DatabaseHandle;
  readonly metrics: ReturnType<typeof createMetrics>;
  readonly signingKey: KeyObject;
  readonly appender: LedgerAppender;
  readonly writer: LedgerWriter;
  close(): Promise<void>;
}

export async function loadTokenKeys(config: Config): Promise<TokenKeys> {
  const verification = config.auth.verification;
  switch (verification.kind) {
    case 'development-secret':
      return { kind: 'secret', secret: await loadOrCreateDevelopmentTokenSecret(config.dataDir) };
    case 'public-key': {
      let pem: string;
      try {
        pem = await readFile(verification.pemFile, 'utf8');
      } catch {
        throw new KeyFileError(verification.pemFile, 'cannot read the token verification key');
      }
      try {
        return { kind: 'public-key', key: createPublicKey(pem) };
      } catch {
        throw new KeyFileError(verification.pemFile, 'not a PEM public key');
      }
    }
    case 'jwks':
      return { kind: 'jwks', source: new JwksKeySource({ url: verification.url }) };
  }
}

/** The ledger's Ed25519 signing key: the configured file, or in development one kept under DATA_DIR. */
export function loadSigningKey(config: Config): Promise<KeyObject> {
  return config.ledger.signingKeyFile === undefined
    ? loadOrCreateDevelopmentSigningKey(config.dataDir)
    : readSigningKey(config.ledger.signingKeyFile);
}

/** The personal-data master key: the configured file, or in development one kept under DATA_DIR. */
export function loadMasterKey(config: Config): Promise<Buffer> {
  return config.personalData.masterKeyFile === undefined
    ? loadOrCreateDevelopmentMasterKey(config.dataDir)
    : readMasterKey(config.personalData.masterKeyFile);
}

export const PERSONAL_FIELDS_FILE = packagePath('policies', 'personal-fields.yaml');

export interface ComposeOptions {
  /** An already open database (tests); otherwise opened from the config and closed with the service. */
  readonly database?: DatabaseHandle;
}

export async function composeService(config: Config, logger: Logger, options: ComposeOptions = {}): Promise<Service> {
  const signingKey = await loadSigningKey(config);
  const masterKey = await loadMasterKey(config);
  const classification = parseClassification(await readFile(PERSONAL_FIELDS_FILE, 'utf8'));
  const database = options.database ?? (await openDatabase(config));
  try {
    if (config.migrateOnStart) {
      const applied = await migrateToLatest(database.db);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
    const tokenKeys = await loadTokenKeys(config);
    const assignments = config.mode === 'production' ? [] : developmentAdminAssignments();
    const policy = casbinPolicy(await createEnforcer(assignments));
    const metrics = createMetrics();
    const ledgerMetrics = createLedgerMetrics(metrics.registry, async () => (await latestCheckpoint(database.db))?.createdAt);
    const verifierKey = verifierKeyFor(config.ledger.origin, signingKey);
    const retired = config.ledger.trustedKeys.map((text) => {
      try {
        return parseVerifierKey(text);
      } catch (error) {
        throw new ConfigError('LEDGER_TRUSTED_KEYS', (error as Error).message);
      }
    });
    const appender = new LedgerAppender({ db: database.db, origin: config.ledger.origin, signingKey, observer: ledgerMetrics });
    await appender.recordKey();
    const vault = new Vault(masterKey);
    const writer = new LedgerWriter(appender, vault, classification);
    const app = await buildApp({
      logger,
      db: database.db,
      policy,
      metrics,
      authentication: { keys: tokenKeys, ...config.auth },
      bodyLimitBytes: config.bodyLimitBytes,
      ledger: {
        writer,
        vault,
        origin: config.ledger.origin,
        verifierKey,
        trustedKeys: [verifierKey, ...retired.filter((key) => key.text !== verifierKey.text)],
        metrics: ledgerMetrics,
      },
    });
    return {
      app,
      database,
      metrics,
      signingKey,
      appender,
      writer,
      async close() {
        await app.close();
        await appender.close();
        if (options.database === undefined) await database.close();
      },
    };
  } catch (error) {
    if (options.database === undefined) await database.close().catch(() => undefined);
    throw error;
  }
}
