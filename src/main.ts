/**
 * The only file that touches `process`: configuration from the environment, the service, listening,
 * and a graceful close on SIGTERM or SIGINT. A configuration or key problem stops the process with
 * one line naming it and exit code 2.
 */
import type { Server } from 'node:http';
import { composeService, type Service } from './compose.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { mintDevelopmentToken } from './keys/development-token.js';
import { KeyFileError, loadOrCreateDevelopmentTokenSecret } from './keys/key-files.js';
import { createLogger } from './observability/logger.js';
import { startMetricsServer } from './observability/metrics-server.js';

function stop(message: string, code: number): never {
  process.stderr.write(`footage-warden: ${message}\n`);
  process.exit(code);
}

async function printDevelopmentWelcome(config: Config, address: string): Promise<void> {
  const secret = await loadOrCreateDevelopmentTokenSecret(config.dataDir);
  const token = mintDevelopmentToken(secret, {
    subject: 'admin',
    unit: 'dev',
    ttlSeconds: 12 * 3600,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    unitClaim: config.auth.unitClaim,
  });
  process.stdout.write(
    [
      '',
      `footage-warden (development) listening on ${address}; embedded data under ${config.dataDir}`,
      'A token for subject "admin" of unit "dev" (unit_admin, auditor and oversight of the development oversight unit), valid 12 hours:',
      '',
      `  export TOKEN=${token}`,
      `  curl -H "Authorization: Bearer $TOKEN" ${address}/v1/me`,
      '',
      'Mint others with: npm run cli -- token --sub SUBJECT --unit UNIT [--ttl 1h]',
      `API reference: ${address}/docs`,
      `Auditor's console: ${address}/console (sign in with the token above)`,
      '',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) stop(error.message, 2);
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let service: Service;
  try {
    service = await composeService(config, logger);
  } catch (error) {
    if (error instanceof KeyFileError || error instanceof ConfigError) stop(error.message, 2);
    logger.fatal({ err: error }, 'start-up failed');
    stop(`start-up failed: ${error instanceof Error ? error.message : String(error)}`, 1);
  }
  const address = await service.app.listen({ host: config.host, port: config.port });
  let metricsServer: Server | undefined;
  if (config.metrics.port !== undefined) {
    metricsServer = await startMetricsServer(service.metrics.registry, config.metrics.host, config.metrics.port);
    logger.info({ host: config.metrics.host, port: config.metrics.port }, 'metrics listener started');
  }
  if (config.mode !== 'production') await printDevelopmentWelcome(config, address);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => stop('shutdown timed out', 1), config.shutdownTimeoutMs);
    timer.unref();
    try {
      await new Promise<void>((resolve) => (metricsServer ? metricsServer.close(() => resolve()) : resolve()));
      await service.close();
      logger.info('closed');
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => stop(`unexpected: ${error instanceof Error ? error.message : String(error)}`, 1));
