/**
 * The composition root: from a Config, open the database, apply migrations, load keys and policy,
 * and build the app. `close` releases everything in reverse order.
 */
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { setUpDevelopment } from './development.js';
import { AllowCache } from './gate/allow-cache.js';
import { PlaybackTokens } from './gate/playback-tokens.js';
import { loadPlaybackKey, loadTokenKeys } from './keys/token-keys.js';
import type { VerifierKey } from './ledger/note.js';
import type { LedgerAppender } from './ledger-store/ledger-appender.js';
import { latestCheckpoint } from './ledger-store/ledger-repository.js';
import { Witnessing } from './ledger-store/witnessing.js';
import { createLedgerMetrics } from './observability/ledger-metrics.js';
import { createMetrics } from './observability/metrics.js';
import { createStandbyMetrics } from './observability/standby-metrics.js';
import { POLICY_FILE } from './policy/enforcer.js';
import { checkRegistryCategories, loadGateProfile, loadRegulationProfile, policyTexts } from './profiles.js';
import { changeContexts, openRecorder } from './recorder.js';
import { policyVersion } from './rules/policy-version.js';
import { type DatabaseHandle, openDatabase } from './storage/database.js';
import { migrateToLatest } from './storage/migrate.js';
import { StandbyReads, standbyLagBytes } from './storage/standby-reads.js';
import { AccessState } from './workflows/access-state.js';
import { ChangeFeed } from './workflows/change-feed.js';
import { Gatekeeper } from './workflows/gatekeeper.js';
import type { LedgerWriter } from './workflows/ledger-writer.js';
import { recordLoadedPolicy } from './workflows/policy-loaded.js';
import type { ServiceContext } from './workflows/service-context.js';

export interface Service {
  readonly app: FastifyInstance;
  readonly database: DatabaseHandle;
  readonly metrics: ReturnType<typeof createMetrics>;
  readonly signingKey: KeyObject;
  readonly appender: LedgerAppender;
  readonly writer: LedgerWriter;
  readonly access: AccessState;
  /** What the routes are given, for workflows called directly (tests). */
  readonly context: ServiceContext;
  close(): Promise<void>;
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
    const rules = policyVersion(await policyTexts(config));
    const metrics = createMetrics();
    let halted = false;
    let feed: ChangeFeed | undefined;
    const ledgerMetrics = createLedgerMetrics(metrics.registry, {
      latestCheckpointTime: async () => (await latestCheckpoint(database.db))?.createdAt,
      halted: () => halted,
    });
    const recorder = await openRecorder(config, database.db, {
      observer: ledgerMetrics,
      onHalt: (finding) => {
        halted = true;
        logger.fatal(
          { ledger_integrity: finding },
          `LEDGER INTEGRITY: ${finding.check} against the ${finding.reference} checkpoint: ${finding.detail}; the ledger records and signs nothing until an operator acts`,
        );
        feed?.integrityHalted(finding).catch((error: unknown) => logger.error({ err: error }, 'announcing the halt failed'));
      },
    });
    const { signingKey, vault, appender, writer, integrity, trustedKeys } = recorder;
    const witnessing = new Witnessing({
      db: database.db,
      origin: config.ledger.origin,
      hasher: recorder.hasher,
      witnesses: recorder.witnesses.map((key, i) => ({ key, url: (config.ledger.witnesses[i] as { url: string }).url })),
      quorum: config.ledger.witnessQuorum,
      integrity,
      intervalMs: config.ledger.witnessIntervalMs,
      onError: (witness, message) => logger.warn({ witness, err: message }, 'a witness did not cosign'),
    });
    const playbackTokens = new PlaybackTokens(await loadPlaybackKey(config), config.ledger.origin);
    const verifierKey = trustedKeys[0] as VerifierKey;
    const access = await AccessState.open(database, baselinePolicy, (error) =>
      logger.error({ err: error }, 'reloading the access policy failed'),
    );
    // Witnesses are asked before this process records anything: one ahead of the stored log halts it.
    await witnessing.start();
    checkRegistryCategories(config, profile, access.current.systems.values());
    await recordLoadedPolicy(writer, rules, profile.name);
    const contexts = changeContexts(database.db, writer, baselinePolicy, profile);
    if (config.mode !== 'production') await setUpDevelopment(contexts, access, config.loadExampleRegistry, logger);
    const { standby } = database;
    const reads = new StandbyReads({
      primary: database.db,
      standby,
      waitMs: config.databaseReadWaitMs,
      observer: createStandbyMetrics(
        metrics.registry,
        standby === undefined ? undefined : () => standbyLagBytes(database.db, standby),
      ),
    });
    feed = new ChangeFeed({
      db: database.db,
      settings: config.feed,
      secrets: vault,
      onError: (stage, error) => logger.warn({ err: error, stage }, 'the change feed failed a round'),
    });
    const context: ServiceContext = {
      db: database.db,
      reads,
      access,
      profile,
      policyVersion: rules.version,
      roles: contexts.roleContext,
      requests: config.requests,
      compliance: config.compliance,
      feed: { changes: feed, allowPlainHttp: config.mode !== 'production' },
      writer,
      vault,
      metrics,
      ledger: {
        origin: config.ledger.origin,
        verifierKey,
        trustedKeys,
        metrics: ledgerMetrics,
        integrity,
        witnessing,
        hasher: recorder.hasher,
      },
      gate: {
        profile: gateProfile,
        tokens: playbackTokens,
        tokenSeconds: config.gate.playbackTokenSeconds,
        gatekeeper: new Gatekeeper({
          db: database.db,
          writer,
          access,
          profile,
          policyVersion: rules.version,
          cache: new AllowCache(config.gate.cacheSize),
        }),
      },
    };
    const app = await buildApp({
      logger,
      policy: access.policy,
      authentication: { keys: tokenKeys, ...config.auth },
      bodyLimitBytes: config.bodyLimitBytes,
      context,
    });
    await feed.start();
    return {
      app,
      database,
      metrics,
      signingKey,
      appender,
      writer,
      access,
      context,
      async close() {
        await app.close();
        await feed?.close();
        await witnessing.close();
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
