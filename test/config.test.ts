import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

/** A production environment with everything production requires. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://db/warden',
  LEDGER_SIGNING_KEY_FILE: '/etc/warden/ledger.pem',
  PERSONAL_DATA_KEY_FILE: '/etc/warden/personal-data-key',
  PLAYBACK_TOKEN_KEY_FILE: '/etc/warden/playback-token.pem',
  JWT_JWKS_URL: 'https://idp.example/jwks.json',
  JWT_ISSUER: 'https://idp.example',
  JWT_AUDIENCE: 'footage-warden',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

t.test('an empty environment gives a development configuration on 127.0.0.1:3000', async (t) => {
  const config = loadConfig({});
  t.equal(config.mode, 'development');
  t.equal(config.host, '127.0.0.1');
  t.equal(config.port, 3000);
  t.equal(config.databaseUrl, undefined);
  t.equal(config.auth.verification.kind, 'development-secret');
  t.equal(config.auth.unitClaim, 'unit');
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.auth), 'the configuration is frozen');
});

t.test('a bad value names its variable', async (t) => {
  t.equal(configError({ PORT: 'eighty' }).variable, 'PORT');
  t.equal(configError({ PORT: '70000' }).variable, 'PORT');
  t.equal(configError({ NODE_ENV: 'staging' }).variable, 'NODE_ENV');
  t.equal(configError({ DATABASE_URL: 'mysql://x/y' }).variable, 'DATABASE_URL');
  t.equal(configError({ DATABASE_URL: 'not a url' }).variable, 'DATABASE_URL');
  t.equal(configError({ LOG_LEVEL: 'loud' }).variable, 'LOG_LEVEL');
  t.equal(configError({ MIGRATE_ON_START: 'maybe' }).variable, 'MIGRATE_ON_START');
  t.equal(configError({ LEDGER_ORIGIN: 'has space' }).variable, 'LEDGER_ORIGIN');
  t.equal(configError({ JWT_UNIT_CLAIM: 'bad claim' }).variable, 'JWT_UNIT_CLAIM');
  t.equal(configError({ JWT_JWKS_URL: 'ftp://idp/jwks' }).variable, 'JWT_JWKS_URL');
  t.equal(configError({ JWT_JWKS_URL: 'https://idp/jwks', JWT_PUBLIC_KEY_FILE: 'k.pem' }).variable, 'JWT_JWKS_URL');
  t.equal(configError({ METRICS_PORT: '0' }).variable, 'METRICS_PORT');
  t.equal(configError({ DATABASE_URL: 'postgres://db/w', DATABASE_READ_URL: 'http://x' }).variable, 'DATABASE_READ_URL');
  t.equal(configError({ DATABASE_READ_URL: 'postgres://standby/w' }).variable, 'DATABASE_READ_URL');
  t.equal(configError({ DATABASE_QUERY_TIMEOUT_MS: 'soon' }).variable, 'DATABASE_QUERY_TIMEOUT_MS');
  t.equal(configError({ DATABASE_READ_WAIT_MS: '600000' }).variable, 'DATABASE_READ_WAIT_MS');
});

t.test('the database settings: a standby for audit reads, a deadline per query, a wait for the standby', async (t) => {
  const defaults = loadConfig({});
  t.equal(defaults.databaseReadUrl, undefined);
  t.equal(defaults.databaseQueryTimeoutMs, 10_000);
  t.equal(defaults.databaseReadWaitMs, 1_000);
  const cluster = loadConfig({
    DATABASE_URL: 'postgres://haproxy:5000/w',
    DATABASE_READ_URL: 'postgres://haproxy:5001/w',
    DATABASE_QUERY_TIMEOUT_MS: '0',
    DATABASE_READ_WAIT_MS: '250',
  });
  t.equal(cluster.databaseReadUrl, 'postgres://haproxy:5001/w');
  t.equal(cluster.databaseQueryTimeoutMs, 0, '0 turns the deadline off');
  t.equal(cluster.databaseReadWaitMs, 250);
});

t.test('production refuses to start without a database, keys and token settings', async (t) => {
  const complete = PRODUCTION;
  t.equal(loadConfig(complete).mode, 'production');
  for (const missing of [
    'DATABASE_URL',
    'LEDGER_SIGNING_KEY_FILE',
    'PERSONAL_DATA_KEY_FILE',
    'PLAYBACK_TOKEN_KEY_FILE',
    'JWT_ISSUER',
    'JWT_AUDIENCE',
  ]) {
    const env: Record<string, string> = { ...complete };
    delete env[missing];
    t.equal(configError(env).variable, missing, `without ${missing}`);
  }
  const { JWT_JWKS_URL: _, ...withoutVerification } = complete;
  t.equal(configError(withoutVerification).variable, 'JWT_PUBLIC_KEY_FILE');
  t.equal(configError({ ...complete, JWT_JWKS_URL: 'http://idp.example/jwks.json' }).variable, 'JWT_JWKS_URL');
});

t.test('development defaults the issuer and audience that development tokens carry', async (t) => {
  const config = loadConfig({ JWT_AUDIENCE: 'other' });
  t.equal(config.auth.issuer, 'footage-warden-dev');
  t.equal(config.auth.audience, 'other');
});

t.test('witnesses are a verifier key and a URL each; the quorum is at most their number', async (t) => {
  const key = 'regulator.test/w1+aa4a09d1+BOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs';
  const other = 'regulator.test/w2+aa4a09d1+BOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs';
  const config = loadConfig({ LEDGER_WITNESSES: `${key} http://127.0.0.1:7380/, ${other} https://w2.test/witness` });
  t.same(
    config.ledger.witnesses.map((witness) => witness.url),
    ['http://127.0.0.1:7380/', 'https://w2.test/witness'],
  );
  t.equal(config.ledger.witnessQuorum, 2, 'all of them by default');
  t.equal(loadConfig({ LEDGER_WITNESSES: `${key} https://w1.test`, LEDGER_WITNESS_QUORUM: '1' }).ledger.witnessQuorum, 1);
  t.same(loadConfig({}).ledger.witnesses, []);
  for (const bad of [
    key,
    `${key} not-a-url`,
    `${key} ftp://w.test`,
    `${key} https://a.test extra`,
    `bad https://w.test`,
    `${key} https://a.test, ${key} https://b.test`,
  ]) {
    t.equal(configError({ LEDGER_WITNESSES: bad }).variable, 'LEDGER_WITNESSES', bad);
  }
  t.equal(
    configError({ LEDGER_WITNESSES: `${key} https://w1.test`, LEDGER_WITNESS_QUORUM: '2' }).variable,
    'LEDGER_WITNESS_QUORUM',
  );
  t.equal(configError({ LEDGER_WITNESS_QUORUM: '1' }).variable, 'LEDGER_WITNESS_QUORUM', 'a quorum without witnesses');
  t.equal(configError({ LEDGER_WITNESS_INTERVAL_MS: '5' }).variable, 'LEDGER_WITNESS_INTERVAL_MS');
  t.equal(
    configError({ ...PRODUCTION, LEDGER_WITNESSES: `${key} http://w1.test` }).variable,
    'LEDGER_WITNESSES',
    'production reaches witnesses over https',
  );
});
