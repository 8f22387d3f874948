/**
 * What writes the ledger, composed from a Config: the signing key, the personal-data vault, the
 * appender (which records its key at open) and the writer; and the contexts of the workflows that
 * change the registry and role assignments. Shared by the service and the `import` command.
 */
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import {
  loadOrCreateDevelopmentMasterKey,
  loadOrCreateDevelopmentSigningKey,
  readMasterKey,
  readSigningKey,
} from './keys/key-files.js';
import { type AppenderObserver, LedgerAppender } from './ledger-store/ledger-appender.js';
import { Vault } from './ledger-store/vault.js';
import { packagePath } from './package-root.js';
import { parseClassification } from './rules/personal-fields.js';
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
    ? loadOrCreateDevelopmentSigningKey(config.dataDir)
    : readSigningKey(config.ledger.signingKeyFile);
}

/** The personal-data master key: the configured file, or in development one kept under DATA_DIR. */
export function loadMasterKey(config: Config): Promise<Buffer> {
  return config.personalData.masterKeyFile === undefined
    ? loadOrCreateDevelopmentMasterKey(config.dataDir)
    : readMasterKey(config.personalData.masterKeyFile);
}

export interface Recorder {
  readonly signingKey: KeyObject;
  readonly vault: Vault;
  readonly appender: LedgerAppender;
  readonly writer: LedgerWriter;
}

export async function openRecorder(config: Config, db: Kysely<Database>, observer?: AppenderObserver): Promise<Recorder> {
  const signingKey = await loadSigningKey(config);
  const vault = new Vault(await loadMasterKey(config));
  const classification = parseClassification(await readFile(PERSONAL_FIELDS_FILE, 'utf8'));
  const appender = new LedgerAppender({
    db,
    origin: config.ledger.origin,
    signingKey,
    vault,
    ...(observer === undefined ? {} : { observer }),
  });
  await appender.recordKey();
  return { signingKey, vault, appender, writer: new LedgerWriter(appender, classification) };
}

/** The actor of changes the service makes itself (development set-up, the import command). */
export const SERVICE_ACTOR = { subject: 'footage-warden', unit: null } as const;

export const ROLE_GRANTS_FILE = packagePath('policies', 'role-assignments.yaml');

/** The role grant table of policies/role-assignments.yaml, checked against the baseline's roles. */
export function loadRoleGrantTable(roles: ReadonlySet<string>): RoleGrantTable {
  return parseRoleGrantTable(readFileSync(ROLE_GRANTS_FILE, 'utf8'), roles);
}

export function changeContexts(
  db: Kysely<Database>,
  writer: LedgerWriter,
  baselinePolicy: string,
): { registryContext: RegistryContext; roleContext: RoleContext } {
  const roles = baselineRoles(baselinePolicy);
  return {
    registryContext: { db, writer, announce: announceAccessChange },
    roleContext: { db, writer, roles, grants: loadRoleGrantTable(roles) },
  };
}
