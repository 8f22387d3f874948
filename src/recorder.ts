/**
 * What writes the ledger, composed from a Config: the signing key, the personal-data vault, the
 * appender (which records its key at open) and the writer; and the contexts of the workflows that
 * change the registry and role assignments. Shared by the service and the `import` command.
 */

import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { type Config, ConfigError } from './config.js';
import {
  loadOrCreateDevelopmentMasterKey,
  loadOrCreateDevelopmentSigningKey,
  readMasterKey,
  readSigningKey,
} from './keys/key-files.js';
import { type CosignerKey, parseCosignerKey } from './ledger/cosignature.js';
import type { IntegrityFinding } from './ledger/history-guard.js';
import { parseVerifierKey, type VerifierKey, verifierKeyFor } from './ledger/note.js';
import { suiteOfKey, type TreeHash, treeHashOf } from './ledger/tree-hash.js';
import { type AppenderObserver, LedgerAppender } from './ledger-store/ledger-appender.js';
import { LedgerIntegrity } from './ledger-store/ledger-integrity.js';
import { checkHistoryAtStart } from './ledger-store/ledger-start-check.js';
import { suiteOfStoredLog } from './ledger-store/ledger-suite.js';
import { Vault } from './ledger-store/vault.js';
import { packagePath } from './package-root.js';
import { ROLE_GRANTS_FILE } from './profiles.js';
import { parseClassification } from './rules/personal-fields.js';
import type { RegulationProfile } from './rules/regulation-profile.js';
import { parseRoleGrantTable, type RoleGrantTable } from './rules/role-grants.js';
import type { Database } from './storage/schema.js';
import { announceAccessChange } from './workflows/access-state.js';
import { LedgerWriter } from './workflows/ledger-writer.js';
import type { RegistryContext } from './workflows/registry-changes.js';
import { baselineRoles, type RoleContext } from './workflows/role-assignments.js';

export const PERSONAL_FIELDS_FILE = packagePath('policies', 'personal-fields.yaml');

/** The ledger's Ed25519 signing key: the configured file, or in development one kept under DATA_DIR. */
export function loadSigningKey(config: Config): Promise<KeyObject> {
  return config.ledger.signingKeyFile === undefined
    ? loadOrCreateDevelopmentSigningKey(config.dataDir, config.ledger.suite)
    : readSigningKey(config.ledger.signingKeyFile, 'the ledger signing key', true);
}

/** The personal-data master key: the configured file, or in development one kept under DATA_DIR. */
export function loadMasterKey(config: Config): Promise<Buffer> {
  return config.personalData.masterKeyFile === undefined
    ? loadOrCreateDevelopmentMasterKey(config.dataDir)
    : readMasterKey(config.personalData.masterKeyFile);
}

export interface Recorder {
  readonly signingKey: KeyObject;
  /** The key signing checkpoints now, then retired keys still trusted for what they signed. */
  readonly trustedKeys: readonly VerifierKey[];
  readonly witnesses: readonly CosignerKey[];
  readonly integrity: LedgerIntegrity;
  readonly vault: Vault;
  readonly appender: LedgerAppender;
  /** The log's tree hash, which the signing key's suite fixes. */
  readonly hasher: TreeHash;
  readonly writer: LedgerWriter;
}

export interface RecorderOptions {
  readonly observer?: AppenderObserver;
  /** Raises the alarm when the ledger halts on a contradiction of its history. */
  readonly onHalt?: (finding: IntegrityFinding) => void;
}

function parsedKeys<T>(variable: string, texts: readonly string[], parse: (text: string) => T): T[] {
  return texts.map((text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new ConfigError(variable, (error as Error).message);
    }
  });
}

/**
 * Opens what writes the ledger. Before the first append, the stored history is checked against the
 * latest stored and witnessed checkpoints (a finding halts the ledger: the service starts halted);
 * then the signing key is recorded if it is new.
 */
export async function openRecorder(config: Config, db: Kysely<Database>, options: RecorderOptions = {}): Promise<Recorder> {
  const signingKey = await loadSigningKey(config);
  const { suite } = config.ledger;
  if (suiteOfKey(signingKey) !== suite) {
    throw new ConfigError(
      'LEDGER_SIGNING_KEY_FILE',
      `holds ${suite === 'shangmi' ? 'an Ed25519' : 'an SM2'} key, but CRYPTO_SUITE is ${suite} (${suite === 'shangmi' ? 'SM2' : 'Ed25519'} keys sign its checkpoints)`,
    );
  }
  const stored = await suiteOfStoredLog(db);
  if (stored !== undefined && stored !== suite) {
    throw new ConfigError(
      'CRYPTO_SUITE',
      `is ${suite}, but this ledger was created with the ${stored} suite: a log keeps its suite`,
    );
  }
  const verifierKey = verifierKeyFor(config.ledger.origin, signingKey);
  const retired = parsedKeys('LEDGER_TRUSTED_KEYS', config.ledger.trustedKeys, parseVerifierKey);
  const trustedKeys = [verifierKey, ...retired.filter((key) => key.text !== verifierKey.text)];
  const witnesses = parsedKeys(
    'LEDGER_WITNESSES',
    config.ledger.witnesses.map((witness) => witness.key),
    parseCosignerKey,
  );
  const vault = new Vault(await loadMasterKey(config), suite);
  const classification = parseClassification(await readFile(PERSONAL_FIELDS_FILE, 'utf8'));
  const hasher = treeHashOf(suite);
  const integrity = new LedgerIntegrity({
    origin: config.ledger.origin,
    trustedKeys,
    onHalt: options.onHalt ?? (() => {}),
    hasher,
  });
  const appender = new LedgerAppender({
    db,
    origin: config.ledger.origin,
    signingKey,
    vault,
    integrity,
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
  await checkHistoryAtStart(db, integrity, {
    origin: config.ledger.origin,
    trustedKeys,
    witnesses,
    quorum: config.ledger.witnessQuorum,
    hasher,
  });
  await appender.recordKey();
  return {
    signingKey,
    trustedKeys,
    witnesses,
    integrity,
    vault,
    appender,
    hasher,
    writer: new LedgerWriter(appender, classification),
  };
}

/** The actor of changes the service makes itself (development set-up, the import command). */
export const SERVICE_ACTOR = { subject: 'footage-warden', unit: null } as const;

/** The role grant table of policies/role-assignments.yaml, checked against the baseline's roles. */
export function loadRoleGrantTable(roles: ReadonlySet<string>): RoleGrantTable {
  return parseRoleGrantTable(readFileSync(ROLE_GRANTS_FILE, 'utf8'), roles);
}

export function changeContexts(
  db: Kysely<Database>,
  writer: LedgerWriter,
  baselinePolicy: string,
  profile: Pick<RegulationProfile, 'systemCategories'>,
): { registryContext: RegistryContext; roleContext: RoleContext } {
  const roles = baselineRoles(baselinePolicy);
  return {
    registryContext: { db, writer, announce: announceAccessChange, systemCategories: new Set(profile.systemCategories.keys()) },
    roleContext: { db, writer, roles, grants: loadRoleGrantTable(roles) },
  };
}
