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
  },
  {
    file: 'policies/regulation-decree-799.yaml',
    name: 'decree-799-2025',
    filing: 'Decree 799, Article 14',
    personnel: 'Decree 799, Article 16(2)(1)',
    training: '16(2)(1)',
    exemptOtherPlaces: true,
    consentLiftsMasking: false,
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

    const report = (await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin })).json();
    t.equal(report.profile, profile.name);
    t.match(report.law.title, profile.name.startsWith('decree') ? /Decree No\. 799/ : /2024 draft/, 'the report names its law');
    t.equal(report.citations.filing, profile.filing);
    t.equal(report.citations.personnel, profile.personnel);
    t.equal(
      report.filing.some((item: { system_id: string }) => item.system_id === 'mall-atrium'),
      !profile.exemptOtherPlaces,
      'filing is due for the atrium system under the draft, not under the decree',
    );
  });
}
