/**
 * Development mode's set-up: an administrator (subject `admin` of the oversight unit `dev`) and,
 * into an empty registry, the example district of policies/example-registry.yaml, loaded as the
 * import command would. Never run in production.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { packagePath } from './package-root.js';
import { DEVELOPMENT_ADMIN_ROLES } from './policy/enforcer.js';
import { SERVICE_ACTOR } from './recorder.js';
import type { AccessState } from './workflows/access-state.js';
import type { RegistryContext } from './workflows/registry-changes.js';
import { importRegistry, parseRegistryDocument, type RegistryDocument } from './workflows/registry-import.js';
import type { RoleContext } from './workflows/role-assignments.js';

export const EXAMPLE_REGISTRY_FILE = packagePath('policies', 'example-registry.yaml');

/** Development's administrator: subject `admin` of unit `dev`, holding every administrative role. */
const DEVELOPMENT_ADMIN: RegistryDocument = {
  units: [{ id: 'dev', name: 'Development administration', kind: 'oversight' }],
  role_assignments: DEVELOPMENT_ADMIN_ROLES.map((role) => ({ subject: 'admin', role, unit_id: 'dev' })),
};

/** Loads the administrator and, when asked and the registry has no camera, the example district. */
export async function setUpDevelopment(
  contexts: { readonly registryContext: RegistryContext; readonly roleContext: RoleContext },
  access: AccessState,
  loadExample: boolean,
  logger: Logger,
): Promise<void> {
  const setUp = async (document: RegistryDocument) => {
    const summary = await importRegistry(contexts.registryContext, contexts.roleContext, SERVICE_ACTOR, document);
    if (summary.created + summary.updated > 0) await access.refresh();
    return summary;
  };
  await setUp(DEVELOPMENT_ADMIN);
  if (loadExample && access.current.cameras.size === 0) {
    const summary = await setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
    logger.info(summary, 'example registry loaded');
  }
}
