/**
 * Which rules decided: the SHA-256 of each file the decisions are made under, and one version over
 * them all. The version is SHA-256 of the text "footage-warden policy/v1\n" followed by one line
 * "<name> <hex SHA-256>\n" per file in the order of POLICY_FILES; a decision entry names it, and a
 * `policy.loaded` entry lists the files' hashes it is made of.
 */
import { sha256 } from '../ledger/hashes.js';

export const POLICY_FILES = ['model', 'baseline', 'role_grants', 'regulation', 'gate'] as const;

export type PolicyFile = (typeof POLICY_FILES)[number];

export interface PolicyVersion {
  readonly version: string;
  readonly files: Readonly<Record<PolicyFile, string>>;
}

export function policyVersion(texts: Readonly<Record<PolicyFile, string>>): PolicyVersion {
  const files = Object.fromEntries(
    POLICY_FILES.map((name) => [name, sha256(Buffer.from(texts[name], 'utf8')).toString('hex')]),
  ) as Record<PolicyFile, string>;
  const summary = POLICY_FILES.map((name) => `${name} ${files[name]}\n`).join('');
  return { version: sha256(Buffer.from(`footage-warden policy/v1\n${summary}`, 'utf8')).toString('hex'), files };
}
