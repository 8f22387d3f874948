/**
 * The service under each shipped regulation profile: the same registry loads under both, decisions
 * and the report cite the law in force, and the decree's duties differ where it differs (Article 9
 * systems' exemptions, masking without a consent exception).
 */
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

const PROFILES = [
  {
    file: 'policies/regulation.yaml',
    name: 'public-video-2024-draft',
    filing: 'Article 17',
    personnel: 'Article 23(1)',
    training: '23(1)',
    exemptOtherPlaces: false,
    consentLiftsMasking: true,
    unitMayAddExport: true,
  },
  {
    file: 'policies/regulation-decree-799.yaml',
    name: 'decree-799-2025',
    filing: 'Decree 799, Article 14',
    personnel: 'Decree 799, Article 16(2)(1)',
    training: '16(2)(1)',
    exemptOtherPlaces: true,
    consentLiftsMasking: false,
    unitMayAddExport: false,
  },
] as const;

for (const profile of PROFILES) {
  t.test(`under ${profile.name}, the registry loads and decisions and the report cite its articles`, async (t) => {
    const service = await startTestService({ REGULATION_PROFILE: profile.file });
    t.teardown(() => service.close());
    await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
    await service.setUp({
      systems: [
        {
          id: 'mall-atrium',
          unit_id: 'riverside-metro',
          name: 'Atrium cameras of a shopping mall',
          legal_basis: 'other_public_place',
          went_live_on: '2025-06-01',
          signage: true,
        },
      ],
      cameras: [{ id: 'cam-atrium', system_id: 'mall-atrium', name: 'Atrium', location: 'Mall atrium', location_class: 'road' }],
      role_assignments: [{ subject: 'metro-zhao', role: 'operator', unit_id: 'riverside-metro' }],
      personnel: [{ id: 'metro-zhao', unit_id: 'riverside-metro', name: 'Zhao Min', position: 'operator' }],
    });
    const { app } = service.service;
    const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
    const admin = await as('admin', 'dev');

    const castle = await app.inject({
      method: 'POST',
      url: '/v1/systems',
      headers: await as('admin', 'riverside-psb'),
      payload: {
        id: 'castle',
        unit_id: 'riverside-psb',
        name: 'x',
        legal_basis: 'castle',
        went_live_on: '2025-01-01',
        signage: true,
      },
    });
    t.equal(castle.statusCode, 400, 'a legal basis must be a category of the profile');
    t.equal(castle.json().errors[0].path, '/legal_basis');

    const lapsed = (
      await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: await as('op-zhao', 'riverside-psb'),
        payload: { camera_id: 'cam-river-road', action: 'live', purpose: 'public_safety', reason: 'patrol' },
      })
    ).json();
    t.match(lapsed.reasons, [{ code: 'TRAINING_LAPSED', article: profile.training }], 'the personnel duty, as numbered');

    const atrium = (
      await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: await as('metro-zhao', 'riverside-metro'),
        payload: { camera_id: 'cam-atrium', action: 'live', purpose: 'public_safety', reason: 'crowd' },
      })
    ).json();
    t.equal(
      atrium.decision,
      profile.exemptOtherPlaces ? 'allow' : 'deny',
      profile.exemptOtherPlaces
        ? 'the decree exempts an other-public-place system from the personnel vetting rules'
        : 'the draft applies them by reference',
    );

    const broadcast = (
      await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: await as('sup-li', 'riverside-psb'),
        payload: {
          camera_id: 'cam-square-north',
          action: 'broadcast',
          window: { from: new Date(Date.now() - 7_200_000).toISOString(), to: new Date(Date.now() - 3_600_000).toISOString() },
          purpose: 'publication',
          reason: 'appeal for witnesses',
          publication_consent: 'consent form 2026-77',
        },
      })
    ).json();
    t.equal(
      broadcast.obligations.some((item: { code: string }) => item.code === 'MASK_SENSITIVE_INFORMATION'),
      !profile.consentLiftsMasking,
      profile.consentLiftsMasking ? 'recorded consent lifts masking under the draft' : 'the decree masks whatever the consent',
    );

    const viewWindow = {
      from: new Date(Date.now() - 7_200_000).toISOString(),
      to: new Date(Date.now() - 3_600_000).toISOString(),
    };
    const asked = await app.inject({
      method: 'POST',
      url: '/v1/access-requests',
      headers: await as('resident-tang', 'nowhere'),
      payload: {
        kind: 'emergency',
        target_unit: 'riverside-psb',
        emergency: {
          nature: 'life',
          relationship: 'close_relative',
          name: 'Tang Yue',
          contact: '+86 138 0000 1234',
          description: 'my father left home at noon',
        },
        scope: {
          camera_ids: ['cam-river-road'],
          window: viewWindow,
          actions: ['playback'],
        },
        reason: 'find a missing person',
      },
    });
    t.equal(asked.statusCode, 201, 'a person may ask to view footage');
    const widened = await app.inject({
      method: 'POST',
      url: `/v1/access-requests/${asked.json().id}/decisions`,
      headers: await as('sup-li', 'riverside-psb'),
      payload: {
        decision: 'approve',
        reason: 'consent given',
        scope: { camera_ids: ['cam-river-road'], window: viewWindow, actions: ['playback', 'export'] },
      },
    });
    t.equal(
      widened.statusCode,
      profile.unitMayAddExport ? 200 : 400,
      profile.unitMayAddExport ? 'the draft lets the unit add export' : 'the decree allows viewing only: no export is added',
    );

    const report = (await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin })).json();
    t.equal(report.profile, profile.name);
    t.match(report.law.title, profile.name.startsWith('decree') ? /Decree No\. 799/ : /2024 draft/, 'the report names its law');
    t.equal(report.citations.filing, profile.filing);
    t.equal(report.citations.personnel, profile.personnel);
    t.notOk(
      report.filing.some((item: { system_id: string }) => item.system_id === 'mall-atrium'),
      'an other-public-place system files under neither text',
    );
    t.ok(
      report.filing.some((item: { system_id: string }) => item.system_id === 'riverside-metro-stations'),
      "the venue operator's unfiled system is found under both",
    );
    const refiled = await app.inject({
      method: 'PATCH',
      url: '/v1/systems/riverside-streets',
      headers: await as('admin', 'riverside-psb'),
      payload: {
        filing: {
          organ: 'City Public Security Bureau',
          number: 'PV-2025-0117',
          filed_on: '2025-03-20',
          cameras: 3,
          retention_days: 30,
        },
      },
    });
    t.equal(refiled.statusCode, 200, 'the filing records the cameras and storage period filed');
    const afterFiling = (await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin })).json();
    const refiling = afterFiling.filing.find(
      (item: { code: string; system_id: string }) => item.code === 'REFILING_DUE' && item.system_id === 'riverside-streets',
    );
    t.match(
      refiling,
      { article: profile.name.startsWith('decree') ? '14' : '17', changed: /^cameras 3 → \d+$/ },
      'a changed camera count is due for re-filing',
    );
  });
}

t.test('a profile lacking a category the registry uses, or a key, stops start-up naming the file and the key', async (t) => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const { Writable } = await import('node:stream');
  const { composeService } = await import('../../src/compose.js');
  const { loadConfig } = await import('../../src/config.js');
  const { createLogger } = await import('../../src/observability/logger.js');
  const service = await startTestService();
  const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-profiles-'));
  t.teardown(async () => {
    await service.close();
    await rm(directory, { recursive: true, force: true });
  });
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const file = path.join(directory, 'narrow.yaml');
  const text = await readFile('policies/regulation.yaml', 'utf8');
  await writeFile(file, text.replace(/\n {2}venue_operator: .*\n/, '\n'));
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const restart = () =>
    composeService(
      loadConfig({ NODE_ENV: 'test', DATA_DIR: service.dataDir, REGULATION_PROFILE: file }),
      createLogger('silent', quiet),
      {
        database: service.database.handle,
      },
    );
  await t.rejects(restart(), {
    name: 'ConfigError',
    message: new RegExp(
      `^REGULATION_PROFILE: ${file.replace(/[.]/g, '\\.')}: system_categories\\.venue_operator is missing, and system riverside-metro-stations is built on it`,
    ),
  });
  await writeFile(file, text.replace(/\ncite_as: .*\n/, '\n'));
  await t.rejects(restart(), { name: 'ConfigError', message: /narrow\.yaml: cite_as: expected text$/ });
});
