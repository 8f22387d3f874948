/**
 * Builds the Fastify app from its dependencies. The registration order below is the table of
 * contents of the HTTP surface.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { RequestSettings } from './domain/access-requests.js';
import type { AccessState } from './domain/access-state.js';
import type { LedgerWriter } from './domain/ledger-writer.js';
import type { RegulationProfile } from './domain/regulation-profile.js';
import type { RoleContext } from './domain/role-assignments.js';
import type { GateProfile } from './gate/gate-profile.js';
import type { Gatekeeper } from './gate/gatekeeper.js';
import type { PlaybackTokens } from './gate/playback-tokens.js';
import { type AuthenticationOptions, authenticate } from './http/authenticate.js';
import { errors } from './http/errors.js';
import { inputText } from './http/input-text.js';
import { requestContext } from './http/request-context.js';
import { responseHeaders } from './http/response-headers.js';
import { accessRequestRoutes } from './http/routes/access-requests.js';
import { complianceRoutes } from './http/routes/compliance.js';
import { consoleRoutes } from './http/routes/console.js';
import { decisionRoutes } from './http/routes/decisions.js';
import { gateRoutes } from './http/routes/gate.js';
import { healthRoutes } from './http/routes/health.js';
import { identityRoutes } from './http/routes/identity.js';
import { ledgerAuditRoutes } from './http/routes/ledger-audit.js';
import { ledgerEntryRoutes } from './http/routes/ledger-entries.js';
import { ledgerEventRoutes } from './http/routes/ledger-events.js';
import { ledgerPublicRoutes } from './http/routes/ledger-public.js';
import { mediamtxRoutes } from './http/routes/mediamtx.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { openapiRoutes } from './http/routes/openapi.js';
import { registryRoutes } from './http/routes/registry.js';
import { roleAssignmentRoutes } from './http/routes/role-assignments.js';
import { subjectRoutes } from './http/routes/subjects.js';
import { transferRoutes } from './http/routes/transfers.js';
import { wellKnownRoutes } from './http/routes/well-known.js';
import { requestValidatorCompiler } from './http/validation.js';
import type { VerifierKey } from './ledger/note.js';
import type { LedgerMetrics } from './observability/ledger-metrics.js';
import type { Metrics } from './observability/metrics.js';
import type { Policy } from './policy/enforcer.js';
import type { Database } from './storage/schema.js';
import type { Vault } from './storage/vault.js';

export interface AppDependencies {
  readonly logger: Logger;
  readonly db: Kysely<Database>;
  readonly policy: Policy;
  /** The access snapshot (permission index and registry) decisions read. */
  readonly access: AccessState;
  readonly profile: RegulationProfile;
  /** Role assignments: the roles the baseline defines and who may assign them (the grant table). */
  readonly roles: RoleContext;
  readonly requests: RequestSettings;
  readonly metrics: Metrics;
  readonly authentication: AuthenticationOptions;
  readonly bodyLimitBytes: number;
  readonly gate: {
    readonly profile: GateProfile;
    readonly tokens: PlaybackTokens;
    readonly gatekeeper: Gatekeeper;
  };
  readonly ledger: {
    readonly writer: LedgerWriter;
    readonly vault: Vault;
    readonly origin: string;
    /** The key signing checkpoints now. */
    readonly verifierKey: VerifierKey;
    /** Every key this log's checkpoints may be signed by: the current one and retired ones. */
    readonly trustedKeys: VerifierKey[];
    readonly metrics: LedgerMetrics;
  };
}

export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimitBytes,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(requestValidatorCompiler());
  // Request bodies are JSON only; any other media type is answered 415.
  app.removeContentTypeParser('text/plain');
  app.decorate('policy', deps.policy);

  await app.register(requestContext, { metrics: deps.metrics });
  await app.register(responseHeaders);
  await app.register(errors);
  await app.register(authenticate, deps.authentication);
  await app.register(inputText);

  await app.register(openapiRoutes);
  await app.register(healthRoutes, { db: deps.db });
  await app.register(metricsRoutes, { registry: deps.metrics.registry });
  await app.register(identityRoutes);
  await app.register(consoleRoutes);

  const ledger = {
    db: deps.db,
    writer: deps.ledger.writer,
    vault: deps.ledger.vault,
    origin: deps.ledger.origin,
    verifierKey: deps.ledger.verifierKey,
  };
  await app.register(ledgerPublicRoutes, ledger);
  await app.register(ledgerEntryRoutes, ledger);
  await app.register(ledgerEventRoutes, { ...ledger, access: deps.access });
  await app.register(ledgerAuditRoutes, {
    ...ledger,
    trustedKeys: deps.ledger.trustedKeys,
    onVerified: (result) => deps.ledger.metrics.verified(result),
  });
  await app.register(subjectRoutes, { ...ledger, access: deps.access });

  const { writer } = deps.ledger;
  await app.register(registryRoutes, { db: deps.db, writer, access: deps.access });
  await app.register(roleAssignmentRoutes, { context: deps.roles, access: deps.access });
  await app.register(decisionRoutes, {
    db: deps.db,
    writer,
    access: deps.access,
    profile: deps.profile,
    tokens: deps.gate.tokens,
  });
  await app.register(complianceRoutes, { db: deps.db, access: deps.access, profile: deps.profile });
  await app.register(wellKnownRoutes, { tokens: deps.gate.tokens });
  await app.register(gateRoutes, deps.gate);
  await app.register(mediamtxRoutes, deps.gate);
  await app.register(transferRoutes, { db: deps.db, writer, vault: deps.ledger.vault, access: deps.access });
  await app.register(accessRequestRoutes, {
    db: deps.db,
    writer,
    vault: deps.ledger.vault,
    snapshot: () => deps.access.current,
    settings: deps.requests,
    accessChanged: () => deps.access.applyCommitted(),
  });
  return app;
}
