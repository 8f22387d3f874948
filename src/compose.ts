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
import { AllowCache } from './gate/allow-cache.js';
import { type GateProfile, parseGateProfile } from './gate/gate-profile.js';
import { PlaybackTokens } from './gate/playback-tokens.js';
import type { TokenKeys } from './http/authenticate.js';
import { JwksKeySource } from './http/jwks.js';
import {
  KeyFileError,
  loadOrCreateDevelopmentPlaybackKey,
  loadOrCreateDevelopmentTokenSecret,
  readSigningKey,
} from './keys/key-files.js';
import { parseVerifierKey, verifierKeyFor } from './ledger/note.js';
import type { LedgerAppender } from './ledger-store/ledger-appender.js';
import { latestCheckpoint } from './ledger-store/ledger-repository.js';
import { createLedgerMetrics } from './observability/ledger-metrics.js';
import { createMetrics } from './observability/metrics.js';
import { packagePath } from './package-root.js';
import { DEVELOPMENT_ADMIN_ROLES, POLICY_FILE } from './policy/enforcer.js';
import { changeContexts, openRecorder } from './recorder.js';
import { parseRegulationProfile, type RegulationProfile } from './rules/regulation-profile.js';
import { type DatabaseHandle, openDatabase } from './storage/database.js';
import { migrateToLatest } from './storage/migrate.js';
import { AccessState } from './workflows/access-state.js';
import { Gatekeeper } from './workflows/gatekeeper.js';
import type { LedgerWriter } from './workflows/ledger-writer.js';
import { importRegistry, parseRegistryDocument, type RegistryDocument } from './workflows/registry-import.js';
import type { ServiceContext } from './workflows/service-context.js';

export interface Service {
  readonly app: FastifyInstance;
  readonly database: DatabaseHandle;
  readonly metrics: ReturnType<typeof createMetrics>;
  readonly signingKey: KeyObject;
  readonly appender: LedgerAppender;
  readonly writer: LedgerWriter;
  readonly access: AccessState;
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

export const REGULATION_PROFILE_FILE = packagePath('policies', 'regulation.yaml');
export const GATE_PROFILE_FILE = packagePath('policies', 'gate.yaml');
export const EXAMPLE_REGISTRY_FILE = packagePath('policies', 'example-registry.yaml');

/** The actor of changes the service makes itself (development set-up, the import command). */
export const SERVICE_ACTOR = { subject: 'footage-warden', unit: null } as const;

/** Development's administrator: subject `admin` of unit `dev`, holding every administrative role. */
const DEVELOPMENT_ADMIN: RegistryDocument = {
  units: [{ id: 'dev', name: 'Development administration', kind: 'oversight' }],
  role_assignments: DEVELOPMENT_ADMIN_ROLES.map((role) => ({ subject: 'admin', role, unit_id: 'dev' })),
};

/** Reads a profile file named by `variable` (or its default); any failure is a ConfigError of it. */
async function loadProfile<T>(file: string, variable: string, parse: (text: string) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError(variable, `cannot read ${file}`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw new ConfigError(variable, (error as Error).message);
  }
}

export function loadRegulationProfile(config: Config): Promise<RegulationProfile> {
  return loadProfile(config.regulationProfileFile ?? REGULATION_PROFILE_FILE, 'REGULATION_PROFILE', parseRegulationProfile);
}

export function loadGateProfile(config: Config, regulation: RegulationProfile): Promise<GateProfile> {
  return loadProfile(config.gate.profileFile ?? GATE_PROFILE_FILE, 'GATE_PROFILE', (text) => parseGateProfile(text, regulation));
}

/** The key signing playback tokens: the configured file, or in development one kept under DATA_DIR. */
export function loadPlaybackKey(config: Config): Promise<KeyObject> {
  const file = config.gate.playbackTokenKeyFile;
  return file === undefined ? loadOrCreateDevelopmentPlaybackKey(config.dataDir) : readSigningKey(file, 'the playback token key');
}

export interface ComposeOptions {
  /** An already open database (tests); otherwise opened from the config and closed with the service. */
  readonly database?: DatabaseHandle;
}

export async function composeService(config: Config, logger: Logger, options: ComposeOptions = {}): Promise<Service> {
  const database = options.database ?? (await openDatabase(config));
  try {
    if (config.migrateOnStart) {
      const applied = await migrateToLatest(database.db);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
    const tokenKeys = await loadTokenKeys(config);
    const profile = await loadRegulationProfile(config);
    const gateProfile = await loadGateProfile(config, profile);
    const baselinePolicy = await readFile(POLICY_FILE, 'utf8');
    const metrics = createMetrics();
    const ledgerMetrics = createLedgerMetrics(metrics.registry, async () => (await latestCheckpoint(database.db))?.createdAt);
    const retired = config.ledger.trustedKeys.map((text) => {
      try {
        return parseVerifierKey(text);
      } catch (error) {
        throw new ConfigError('LEDGER_TRUSTED_KEYS', (error as Error).message);
      }
    });
    const { signingKey, vault, appender, writer } = await openRecorder(config, database.db, ledgerMetrics);
    const playbackTokens = new PlaybackTokens(await loadPlaybackKey(config), config.ledger.origin);
    const verifierKey = verifierKeyFor(config.ledger.origin, signingKey);
    const access = await AccessState.open(database, baselinePolicy, (error) =>
      logger.error({ err: error }, 'reloading the access policy failed'),
    );
    const { registryContext, roleContext } = changeContexts(database.db, writer, baselinePolicy);
    if (config.mode !== 'production') {
      const setUp = async (document: RegistryDocument) => {
        const summary = await importRegistry(registryContext, roleContext, SERVICE_ACTOR, document);
        if (summary.created + summary.updated > 0) await access.refresh();
        return summary;
      };
      await setUp(DEVELOPMENT_ADMIN);
      if (config.loadExampleRegistry && access.current.cameras.size === 0) {
        const summary = await setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
        logger.info(summary, 'example registry loaded');
      }
    }
    const context: ServiceContext = {
      db: database.db,
      access,
      profile,
      roles: roleContext,
      requests: config.requests,
      writer,
      vault,
      metrics,
      ledger: {
        origin: config.ledger.origin,
        verifierKey,
        trustedKeys: [verifierKey, ...retired.filter((key) => key.text !== verifierKey.text)],
        metrics: ledgerMetrics,
      },
      gate: {
        profile: gateProfile,
        tokens: playbackTokens,
        gatekeeper: new Gatekeeper({ db: database.db, writer, access, profile, cache: new AllowCache(config.gate.cacheSize) }),
      },
    };
    const app = await buildApp({
      logger,
      policy: access.policy,
      authentication: { keys: tokenKeys, ...config.auth },
      bodyLimitBytes: config.bodyLimitBytes,
      context,
    });
    return {
      app,
      database,
      metrics,
      signingKey,
      appender,
      writer,
      access,
      async close() {
        await app.close();
        await access.close();
        await appender.close();
        if (options.database === undefined) await database.close();
      },
    };
  } catch (error) {
    if (options.database === undefined) await database.close().catch(() => undefined);
    throw error;
  }
}
