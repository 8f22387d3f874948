import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { exampleDistrict, startTestService, type TestService } from './service.js';

/**
 * Whether an end-to-end test (a real nginx, a real browser) runs. FOOTAGE_WARDEN_E2E=required
 * (CI's PostgreSQL run) makes a missing program a failure; =skip (CI's second, embedded-database
 * run, where the engine makes no difference to them) skips them; unset, they run when the program
 * is installed.
 */
export function e2eSkip(installed: boolean, program: string): string | false {
  const mode = process.env.FOOTAGE_WARDEN_E2E;
  if (mode === 'skip') return 'end-to-end tests run once per CI run, against PostgreSQL';
  if (mode !== 'required' && !installed) return `${program} is not installed`;
  return false;
}

/**
 * The example district's service listening on a free port, with a scratch directory (removed at
 * teardown) whose `footage` folder a real gateway serves.
 */
export async function listeningExampleService(
  t: { teardown(fn: () => Promise<void>): void },
  name: string,
  env: Record<string, string> = {},
  /** Role assignments added to the example district's. */
  roles: ReadonlyArray<{ subject: string; role: string; unit_id: string }> = [],
): Promise<{ service: TestService; directory: string; root: string; servicePort: number }> {
  const service = await startTestService(env);
  const directory = await mkdtemp(path.join(os.tmpdir(), `footage-warden-${name}-`));
  t.teardown(async () => {
    await service.close();
    await rm(directory, { recursive: true, force: true });
  });
  await service.setUp(await exampleDistrict(roles));
  const { app } = service.service;
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { service, directory, root: path.join(directory, 'footage'), servicePort: (app.server.address() as AddressInfo).port };
}
