/**
 * The profiles the service runs under: the regulation profile (REGULATION_PROFILE) and the gate
 * profile (GATE_PROFILE), read and checked at start; a bad one stops start-up naming its variable.
 */
import { readFile } from 'node:fs/promises';
import { type Config, ConfigError } from './config.js';
import { type GateProfile, parseGateProfile } from './gate/gate-profile.js';
import { packagePath } from './package-root.js';
import { MODEL_FILE, POLICY_FILE } from './policy/enforcer.js';
import type { PolicyFile } from './rules/policy-version.js';
import { parseRegulationProfile, type RegulationProfile } from './rules/regulation-profile.js';

export const REGULATION_PROFILE_FILE = packagePath('policies', 'regulation.yaml');
export const GATE_PROFILE_FILE = packagePath('policies', 'gate.yaml');
export const ROLE_GRANTS_FILE = packagePath('policies', 'role-assignments.yaml');

/** Reads a profile file named by `variable` (or its default); any failure is a ConfigError of it. */
async function loadProfile<T>(file: string, variable: string, parse: (text: string) => T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError(variable, `cannot read ${file}`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw new ConfigError(variable, `${file}: ${(error as Error).message}`);
  }
}

/**
 * The registry's systems name legal-basis categories of the profile in force: a profile that lacks
 * one the registry uses stops start-up, naming the file, the key and the system.
 */
export function checkRegistryCategories(
  config: Config,
  profile: RegulationProfile,
  systems: Iterable<{ readonly id: string; readonly legal_basis: string }>,
): void {
  for (const system of systems) {
    if (!profile.systemCategories.has(system.legal_basis)) {
      const file = config.regulationProfileFile ?? REGULATION_PROFILE_FILE;
      throw new ConfigError(
        'REGULATION_PROFILE',
        `${file}: system_categories.${system.legal_basis} is missing, and system ${system.id} is built on it`,
      );
    }
  }
}

export function loadRegulationProfile(config: Config): Promise<RegulationProfile> {
  return loadProfile(config.regulationProfileFile ?? REGULATION_PROFILE_FILE, 'REGULATION_PROFILE', parseRegulationProfile);
}

export function loadGateProfile(config: Config, regulation: RegulationProfile): Promise<GateProfile> {
  return loadProfile(config.gate.profileFile ?? GATE_PROFILE_FILE, 'GATE_PROFILE', (text) => parseGateProfile(text, regulation));
}

/** The texts of every file the decisions are made under, as this configuration loads them. */
export async function policyTexts(config: Config): Promise<Record<PolicyFile, string>> {
  const [model, baseline, roleGrants, regulation, gate] = await Promise.all(
    [
      MODEL_FILE,
      POLICY_FILE,
      ROLE_GRANTS_FILE,
      config.regulationProfileFile ?? REGULATION_PROFILE_FILE,
      config.gate.profileFile ?? GATE_PROFILE_FILE,
    ].map((file) => readFile(file, 'utf8')),
  );
  return { model, baseline, role_grants: roleGrants, regulation, gate } as Record<PolicyFile, string>;
}
