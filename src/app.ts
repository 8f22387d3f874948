/**
 * Builds the Fastify app from its dependencies. The registration order below is the table of
 * contents of the HTTP surface.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type AuthenticationOptions, authenticate } from './http/authenticate.js';
import { errors } from './http/errors.js';
import { inputText } from './http/input-text.js';
import { requestContext } from './http/request-context.js';
import { responseHeaders } from './http/response-headers.js';
import { accessRequestRoutes } from './http/routes/access-requests.js';
import { changeFeedRoutes } from './http/routes/change-feed.js';
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
import { legalHoldRoutes } from './http/routes/legal-holds.js';
import { mediamtxRoutes } from './http/routes/mediamtx.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { openapiRoutes } from './http/routes/openapi.js';
import { reconciliationRoutes } from './http/routes/reconciliations.js';
import { registryRoutes } from './http/routes/registry.js';
import { roleAssignmentRoutes } from './http/routes/role-assignments.js';
import { subjectRoutes } from './http/routes/subjects.js';
import { transferRoutes } from './http/routes/transfers.js';
import { wellKnownRoutes } from './http/routes/well-known.js';
import { zlmediakitRoutes } from './http/routes/zlmediakit.js';
import { requestValidatorCompiler } from './http/validation.js';
import type { Policy } from './policy/enforcer.js';
import type { ServiceContext } from './workflows/service-context.js';

export interface AppDependencies {
  readonly logger: Logger;
  readonly policy: Policy;
  readonly authentication: AuthenticationOptions;
  readonly bodyLimitBytes: number;
  /** Everything the routes are given. */
  readonly context: ServiceContext;
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

  const { context } = deps;
  await app.register(requestContext, { metrics: context.metrics });
  await app.register(responseHeaders);
  await app.register(errors);
  await app.register(authenticate, deps.authentication);
  await app.register(inputText);

  await app.register(openapiRoutes);
  await app.register(healthRoutes, context);
  await app.register(metricsRoutes, context);
  await app.register(identityRoutes);
  await app.register(consoleRoutes);

  await app.register(ledgerPublicRoutes, context);
  await app.register(ledgerEntryRoutes, context);
  await app.register(ledgerEventRoutes, context);
  await app.register(ledgerAuditRoutes, context);
  await app.register(subjectRoutes, context);

  await app.register(registryRoutes, context);
  await app.register(roleAssignmentRoutes, context);
  await app.register(decisionRoutes, context);
  await app.register(complianceRoutes, context);
  await app.register(wellKnownRoutes, context);
  await app.register(gateRoutes, context);
  await app.register(mediamtxRoutes, context);
  await app.register(zlmediakitRoutes, context);
  await app.register(reconciliationRoutes, context);
  await app.register(transferRoutes, context);
  await app.register(legalHoldRoutes, context);
  await app.register(changeFeedRoutes, context);
  await app.register(accessRequestRoutes, context);
  return app;
}
