/**
 * The only reader of the environment. `loadConfig` validates every variable the service knows and
 * returns a frozen Config; a bad value throws a ConfigError naming the variable.
 */
import path from 'node:path';
import { ConfigError, type Environment } from './config-error.js';
import { type WitnessSetting, witnessQuorum, witnessSettings } from './config-witnesses.js';
import { SUITE_NAMES, type SuiteName } from './ledger/tree-hash.js';

export { ConfigError, type Environment } from './config-error.js';

export type Mode = 'development' | 'production' | 'test';

/** How bearer tokens are verified. */
export type TokenVerification =
  | { readonly kind: 'development-secret' }
  | { readonly kind: 'public-key'; readonly pemFile: string }
  | { readonly kind: 'jwks'; readonly url: string };

export interface Config {
  readonly mode: Mode;
  readonly host: string;
  readonly port: number;
  /** Unset: the embedded PGlite database under `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** A hot standby (or a pool of them) serving the ledger's audit reads; unset: the primary serves them. */
  readonly databaseReadUrl: string | undefined;
  /** The longest any one database query may take, commit included, before the answer is 503; 0: none. */
  readonly databaseQueryTimeoutMs: number;
  /** How long an audit read waits for the standby to replay the primary's WAL before reading the primary. */
  readonly databaseReadWaitMs: number;
  readonly dataDir: string;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  readonly migrateOnStart: boolean;
  readonly shutdownTimeoutMs: number;
  readonly ledger: {
    readonly origin: string;
    /**
     * The cryptographic suite a new log is created with (CRYPTO_SUITE): `c2sp` (SHA-256, Ed25519,
     * AES-256-GCM) or `shangmi` (SM3, SM2, SM4). Fixed per log; a log of another suite refuses to start.
     */
    readonly suite: SuiteName;
    /** Unset in development: a key is generated under `dataDir`. */
    readonly signingKeyFile: string | undefined;
    /** Verifier keys of retired signing keys, still trusted for the checkpoints they signed. */
    readonly trustedKeys: readonly string[];
    readonly witnesses: readonly WitnessSetting[];
    readonly witnessQuorum: number;
    readonly witnessIntervalMs: number;
  };
  readonly personalData: {
    /** 32-byte master key (base64) wrapping the data subjects' keys; development generates one. */
    readonly masterKeyFile: string | undefined;
  };
  readonly auth: {
    readonly verification: TokenVerification;
    readonly issuer: string | undefined;
    readonly audience: string | undefined;
    readonly unitClaim: string;
    readonly clockSkewSeconds: number;
  };
  /** The regulation profile (article numbers, purposes, retention); unset: policies/regulation.yaml. */
  readonly regulationProfileFile: string | undefined;
  readonly gate: {
    /** The gate profile (path templates, MediaMTX mapping); unset: policies/gate.yaml. */
    readonly profileFile: string | undefined;
    /** How many recorded allows the gate remembers. */
    readonly cacheSize: number;
    /** Ed25519 key signing playback tokens; unset in development: one is generated under `dataDir`. */
    readonly playbackTokenKeyFile: string | undefined;
    /** The longest a playback token (a player's session credential) lives; never past its decision. */
    readonly playbackTokenSeconds: number;
  };
  /** Load policies/example-registry.yaml into an empty registry at start (development default). */
  readonly loadExampleRegistry: boolean;
  readonly requests: {
    /** Officers a state-organ request must name (the unit's policy). */
    readonly officersRequired: number;
    /** Default and longest grant of a state-organ request, in hours. */
    readonly stateOrganGrantHours: number;
    /** Default and longest grant of an emergency request, in hours. */
    readonly emergencyGrantHours: number;
  };
  readonly feed: {
    /** How often the change feed reads the ledger and delivers webhooks. */
    readonly intervalMs: number;
    /** The first retry's delay of a failed delivery; each further one doubles, up to an hour. */
    readonly retryBaseMs: number;
    readonly maxAttempts: number;
    /** How long before its end a grant is announced as expiring. */
    readonly expiryWarningHours: number;
  };
  readonly compliance: {
    /** Days past a camera's retention before an unreported deletion is a finding. */
    readonly deletionGraceDays: number;
  };
  readonly metrics: {
    /** Unset: /metrics is served on the main port to authorised callers only. */
    readonly port: number | undefined;
    readonly host: string;
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const DEVELOPMENT_ISSUER = 'footage-warden-dev';
const DEVELOPMENT_AUDIENCE = 'footage-warden';
const ORIGIN_PATTERN = /^[\x21-\x7e]+$/;

function text(env: Environment, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `expected a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `expected ${min} to ${max}, got ${value}`);
  return value;
}

function port(env: Environment, name: string): number | undefined {
  if (text(env, name) === undefined) return undefined;
  return integer(env, name, 0, 1, 65535);
}

function boolean(env: Environment, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function suite(env: Environment): SuiteName {
  const raw = text(env, 'CRYPTO_SUITE') ?? 'c2sp';
  if ((SUITE_NAMES as readonly string[]).includes(raw)) return raw as SuiteName;
  throw new ConfigError('CRYPTO_SUITE', `expected ${SUITE_NAMES.join(' or ')}, got "${raw}"`);
}

function mode(env: Environment): Mode {
  const raw = text(env, 'NODE_ENV') ?? 'development';
  if (raw === 'development' || raw === 'production' || raw === 'test') return raw;
  throw new ConfigError('NODE_ENV', `expected development, production or test, got "${raw}"`);
}

function databaseUrl(env: Environment, name: 'DATABASE_URL' | 'DATABASE_READ_URL'): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'not a URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(name, 'expected a postgres:// or postgresql:// URL');
  }
  return raw;
}

function tokenVerification(env: Environment, currentMode: Mode): TokenVerification {
  const pemFile = text(env, 'JWT_PUBLIC_KEY_FILE');
  const jwksUrl = text(env, 'JWT_JWKS_URL');
  if (pemFile !== undefined && jwksUrl !== undefined) {
    throw new ConfigError('JWT_JWKS_URL', 'set either JWT_PUBLIC_KEY_FILE or JWT_JWKS_URL, not both');
  }
  if (pemFile !== undefined) return { kind: 'public-key', pemFile: path.resolve(pemFile) };
  if (jwksUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(jwksUrl);
    } catch {
      throw new ConfigError('JWT_JWKS_URL', 'not a URL');
    }
    if (parsed.protocol !== 'https:' && !(currentMode !== 'production' && parsed.protocol === 'http:')) {
      throw new ConfigError('JWT_JWKS_URL', 'expected an https:// URL');
    }
    return { kind: 'jwks', url: parsed.toString() };
  }
  if (currentMode === 'production') {
    throw new ConfigError('JWT_PUBLIC_KEY_FILE', 'production needs JWT_PUBLIC_KEY_FILE or JWT_JWKS_URL');
  }
  return { kind: 'development-secret' };
}

/** LEDGER_TRUSTED_KEYS: comma-separated verifier keys (name+hex8+base64) of this log's origin. */
function trustedKeys(env: Environment, origin: string): string[] {
  const raw = text(env, 'LEDGER_TRUSTED_KEYS');
  if (raw === undefined) return [];
  const keys = raw
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  for (const key of keys) {
    if (!/^[\x21-\x7e]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/.test(key) || !key.startsWith(`${origin}+`)) {
      throw new ConfigError('LEDGER_TRUSTED_KEYS', `not a verifier key of origin ${origin}: "${key}"`);
    }
  }
  return keys;
}

function optionalPath(env: Environment, name: string): string | undefined {
  const file = text(env, name);
  return file === undefined ? undefined : path.resolve(file);
}

function required(env: Environment, name: string, why: string): string {
  const value = text(env, name);
  if (value === undefined) throw new ConfigError(name, why);
  return value;
}

export function loadConfig(env: Environment): Config {
  const currentMode = mode(env);
  const production = currentMode === 'production';
  const url = databaseUrl(env, 'DATABASE_URL');
  const readUrl = databaseUrl(env, 'DATABASE_READ_URL');
  if (readUrl !== undefined && url === undefined) {
    throw new ConfigError('DATABASE_READ_URL', 'standby reads need DATABASE_URL: the embedded database has no standby');
  }
  if (production && url === undefined) {
    throw new ConfigError('DATABASE_URL', 'production needs a PostgreSQL server; the embedded database is for development');
  }
  const signingKeyFile = production
    ? required(env, 'LEDGER_SIGNING_KEY_FILE', 'production needs the ledger signing key (footage-warden keygen)')
    : text(env, 'LEDGER_SIGNING_KEY_FILE');
  const verification = tokenVerification(env, currentMode);
  const witnesses = witnessSettings(env, production);
  const issuer = production
    ? required(env, 'JWT_ISSUER', 'production needs the expected token issuer')
    : (text(env, 'JWT_ISSUER') ?? DEVELOPMENT_ISSUER);
  const audience = production
    ? required(env, 'JWT_AUDIENCE', 'production needs the expected token audience')
    : (text(env, 'JWT_AUDIENCE') ?? DEVELOPMENT_AUDIENCE);
  const origin = text(env, 'LEDGER_ORIGIN') ?? 'footage-warden.example/ledger';
  if (!ORIGIN_PATTERN.test(origin) || origin.includes('+')) {
    throw new ConfigError('LEDGER_ORIGIN', 'expected printable ASCII without spaces or "+"');
  }
  const logLevel = text(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const unitClaim = text(env, 'JWT_UNIT_CLAIM') ?? 'unit';
  if (!/^[A-Za-z_][A-Za-z0-9_.:-]*$/.test(unitClaim)) {
    throw new ConfigError('JWT_UNIT_CLAIM', `not a claim name: "${unitClaim}"`);
  }
  const config: Config = {
    mode: currentMode,
    host: text(env, 'HOST') ?? '127.0.0.1',
    port: integer(env, 'PORT', 3000, 0, 65535),
    databaseUrl: url,
    databaseReadUrl: readUrl,
    databaseQueryTimeoutMs: integer(env, 'DATABASE_QUERY_TIMEOUT_MS', 10_000, 0, 3_600_000),
    databaseReadWaitMs: integer(env, 'DATABASE_READ_WAIT_MS', 1_000, 0, 60_000),
    dataDir: path.resolve(text(env, 'DATA_DIR') ?? 'data'),
    logLevel,
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1_048_576, 1024, 104_857_600),
    migrateOnStart: boolean(env, 'MIGRATE_ON_START', true),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    ledger: {
      origin,
      suite: suite(env),
      signingKeyFile: signingKeyFile === undefined ? undefined : path.resolve(signingKeyFile),
      trustedKeys: trustedKeys(env, origin),
      witnesses,
      witnessQuorum: witnessQuorum(env, witnesses.length),
      witnessIntervalMs: integer(env, 'LEDGER_WITNESS_INTERVAL_MS', 10_000, 100, 3_600_000),
    },
    personalData: {
      masterKeyFile: (() => {
        const file = production
          ? required(
              env,
              'PERSONAL_DATA_KEY_FILE',
              'production needs the personal-data master key (footage-warden keygen --personal-data)',
            )
          : text(env, 'PERSONAL_DATA_KEY_FILE');
        return file === undefined ? undefined : path.resolve(file);
      })(),
    },
    auth: {
      verification,
      issuer,
      audience,
      unitClaim,
      clockSkewSeconds: integer(env, 'JWT_CLOCK_SKEW_SECONDS', 30, 0, 300),
    },
    regulationProfileFile: optionalPath(env, 'REGULATION_PROFILE'),
    gate: {
      profileFile: optionalPath(env, 'GATE_PROFILE'),
      cacheSize: integer(env, 'GATE_CACHE_SIZE', 10_000, 0, 10_000_000),
      playbackTokenSeconds: integer(env, 'PLAYBACK_TOKEN_TTL_SECONDS', 900, 5, 86_400),
      playbackTokenKeyFile: (() => {
        const file = production
          ? required(env, 'PLAYBACK_TOKEN_KEY_FILE', 'production needs the playback token key (footage-warden keygen --playback)')
          : text(env, 'PLAYBACK_TOKEN_KEY_FILE');
        return file === undefined ? undefined : path.resolve(file);
      })(),
    },
    loadExampleRegistry: boolean(env, 'LOAD_EXAMPLE_REGISTRY', currentMode === 'development'),
    requests: {
      officersRequired: integer(env, 'STATE_ORGAN_OFFICERS', 2, 1, 10),
      stateOrganGrantHours: integer(env, 'STATE_ORGAN_GRANT_HOURS', 72, 1, 8760),
      emergencyGrantHours: integer(env, 'EMERGENCY_GRANT_HOURS', 4, 1, 72),
    },
    feed: {
      intervalMs: integer(env, 'FEED_INTERVAL_MS', 1_000, 50, 600_000),
      retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 1_000, 10, 3_600_000),
      maxAttempts: integer(env, 'WEBHOOK_MAX_ATTEMPTS', 15, 1, 100),
      expiryWarningHours: integer(env, 'GRANT_EXPIRY_WARNING_HOURS', 24, 1, 720),
    },
    compliance: { deletionGraceDays: integer(env, 'DELETION_GRACE_DAYS', 7, 0, 365) },
    metrics: { port: port(env, 'METRICS_PORT'), host: text(env, 'METRICS_HOST') ?? '127.0.0.1' },
  };
  return deepFreeze(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child);
  }
  return Object.freeze(value);
}
