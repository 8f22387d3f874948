import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { decodeEntry } from '../../src/ledger/entry.js';
import { listEntries } from '../../src/ledger-store/ledger-repository.js';
import { MODEL_FILE, POLICY_FILE } from '../../src/policy/enforcer.js';
import { GATE_PROFILE_FILE, REGULATION_PROFILE_FILE, ROLE_GRANTS_FILE } from '../../src/profiles.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;

t.test('the service records the rules it decides under at start, and every decision names them', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const db = service.database.handle.db;
  const [loaded] = await listEntries(db, { from: 0, limit: 10, kind: 'policy.loaded' });
  t.ok(loaded, 'a policy.loaded entry');
  const payload = decodeEntry((loaded as { canonical: Buffer }).canonical).payload as {
    version: string;
    files: Record<string, { sha256: string }>;
    regulation_profile: string;
  };
  const files = {
    model: MODEL_FILE,
    baseline: POLICY_FILE,
    role_grants: ROLE_GRANTS_FILE,
    regulation: REGULATION_PROFILE_FILE,
    gate: GATE_PROFILE_FILE,
  };
  for (const [name, file] of Object.entries(files)) {
    t.equal(
      payload.files[name]?.sha256,
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
      `the hash of ${name}`,
    );
  }
  t.equal(payload.version, service.service.context.policyVersion);
  t.equal(payload.regulation_profile, service.service.context.profile.name);

  const token = await service.token('sup-li', 'riverside-psb');
  const window = { from: new Date(Date.now() - 4 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
  const decided = await service.service.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: { authorization: `Bearer ${token}` },
    payload: { camera_id: 'cam-square-north', action: 'playback', purpose: 'case_handling', reason: 'case 2026-0042', window },
  });
  const [decision] = await listEntries(db, { from: decided.json().receipt.seq, limit: 1 });
  t.equal(
    (decodeEntry((decision as { canonical: Buffer }).canonical).payload as { policy_version: string }).policy_version,
    payload.version,
    'the decision names the version policy.loaded recorded',
  );
  t.equal(loadConfig({}).regulationProfileFile, undefined, 'the default profile was the one hashed');
});
