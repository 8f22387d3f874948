import { parseArgs } from 'node:util';
import { mintDevelopmentToken, parseTtl } from '../keys/development-token.js';
import { loadOrCreateDevelopmentTokenSecret } from '../keys/key-files.js';
import { type CliCommand, UsageError } from './command.js';

export const tokenCommand: CliCommand = {
  usage: 'token --sub SUBJECT --unit UNIT [--ttl 1h]',
  summary: 'mint a development token (refused in production)',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { sub: { type: 'string' }, unit: { type: 'string' }, ttl: { type: 'string', default: '1h' } },
      strict: true,
    });
    if (!values.sub) throw new UsageError('--sub is required');
    if (!values.unit) throw new UsageError('--unit is required');
    const ttlSeconds = parseTtl(values.ttl ?? '1h');
    if (ttlSeconds === undefined) throw new UsageError('--ttl takes a duration such as 90s, 15m, 1h or 7d (at most 30d)');
    const config = io.loadConfig();
    if (config.mode === 'production' || config.auth.verification.kind !== 'development-secret') {
      throw new UsageError('tokens are minted only in development mode; production tokens come from your identity provider');
    }
    const secret = await loadOrCreateDevelopmentTokenSecret(config.dataDir);
    io.stdout(
      `${mintDevelopmentToken(secret, {
        subject: values.sub,
        unit: values.unit,
        ttlSeconds,
        issuer: config.auth.issuer,
        audience: config.auth.audience,
        unitClaim: config.auth.unitClaim,
      })}\n`,
    );
    return 0;
  },
};
