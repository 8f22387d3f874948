/**
 * The registry's facts that decisions and the register read besides roles: a camera near a
 * military or classified site (draft Article 13), and maintenance reported by the operators a unit
 * entrusted (Article 22).
 */
import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

async function district(t: { teardown(fn: () => unknown): void }) {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  return { service, as, app: service.service.app };
}

t.test('a camera near a military site is denied until its consent is recorded, and the report lists it', async (t) => {
  const { app, as } = await district(t);
  const admin = await as('admin', 'dev');
  const unitAdmin = await as('admin', 'riverside-psb');
  const wang = await as('op-wang', 'riverside-psb');
  const patch = (body: object) =>
    app.inject({ method: 'PATCH', url: '/v1/cameras/cam-river-road', headers: unitAdmin, payload: body });
  const decide = async () =>
    (
      await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: wang,
        payload: { camera_id: 'cam-river-road', action: 'live', purpose: 'public_safety', reason: 'patrol' },
      })
    ).json();
  t.equal((await decide()).decision, 'allow', 'an ordinary camera');
  const marked = await patch({ near_military_area: true });
  t.equal(marked.statusCode, 200, `the camera is near a military area: ${marked.body}`);
  const denied = await decide();
  t.equal(denied.decision, 'deny');
  t.match(denied.reasons, [{ code: 'SITE_CONSENT_MISSING', article: '13' }], "with the profile's article");
  const report = async () => (await app.inject({ method: 'GET', url: '/v1/compliance/report', headers: admin })).json();
  t.match((await report()).classified_sites, [{ code: 'SITE_CONSENT_MISSING', article: '13', camera_id: 'cam-river-road' }]);
  t.equal((await patch({ site_consent_ref: '' })).statusCode, 400, 'an empty reference is not a reference');
  t.equal((await patch({ site_consent_ref: 'Garrison 4417 opinion 2026-12' })).statusCode, 200);
  t.equal((await decide()).decision, 'allow', 'with the consent recorded');
  t.same((await report()).classified_sites, []);
  const camera = await app.inject({ method: 'GET', url: '/v1/cameras/cam-river-road', headers: unitAdmin });
  t.match(camera.json(), { near_military_area: true, site_consent_ref: 'Garrison 4417 opinion 2026-12' });
});

t.test('maintenance is reported by the unit or the operator it entrusted, for that unit’s equipment only', async (t) => {
  const { service, app, as } = await district(t);
  await service.setUp({
    units: [{ id: 'harbour-authority', name: 'Harbour Authority', kind: 'using_unit' }],
    systems: [
      {
        id: 'harbour-quay',
        unit_id: 'harbour-authority',
        name: 'Quay cameras',
        legal_basis: 'venue_operator',
        went_live_on: '2026-01-05',
        signage: true,
      },
    ],
    cameras: [{ id: 'cam-quay', system_id: 'harbour-quay', name: 'Quay', location: 'Quay 3', location_class: 'road' }],
    role_assignments: [
      { subject: 'gw-brightlens', role: 'gateway', unit_id: 'brightlens' },
      { subject: 'gw-riverside', role: 'gateway', unit_id: 'riverside-psb' },
    ],
  });
  const contractor = await as('gw-brightlens', 'brightlens');
  const riverside = await as('gw-riverside', 'riverside-psb');
  const report = (headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url: '/v1/ledger/events', headers, payload: { kind: 'equipment.maintained', payload } });
  const recorded = await report(contractor, { camera_id: 'cam-square-north', work: 'repair', contractor_unit: 'brightlens' });
  t.equal(recorded.statusCode, 201, 'the entrusted operator reports work on a camera of a unit that entrusted it');
  const entry = (await service.lastEntry()).kind;
  t.equal(entry, 'equipment.maintained');
  t.equal((await report(contractor, { system_id: 'riverside-streets', work: 'inspection' })).statusCode, 201, 'or its system');
  const outside = await report(contractor, { camera_id: 'cam-quay', work: 'repair' });
  t.equal(outside.statusCode, 403, 'not a camera of a unit that did not entrust it');
  t.equal(outside.json().errors[0].path, '/payload/camera_id');
  t.equal((await report(contractor, { system_id: 'harbour-quay', work: 'repair' })).statusCode, 403, 'nor its system');
  t.equal(
    (await report(riverside, { camera_id: 'cam-square-north', work: 'firmware_update', contractor_unit: 'brightlens' }))
      .statusCode,
    201,
    'the unit names the operator it entrusted',
  );
  const stranger = await report(riverside, {
    camera_id: 'cam-square-north',
    work: 'repair',
    contractor_unit: 'harbour-authority',
  });
  t.equal(stranger.statusCode, 403, 'but not one it did not entrust');
  t.equal(stranger.json().errors[0].path, '/payload/contractor_unit');
  const bad = await report(contractor, { camera_id: 'cam-square-north', work: 'painting' });
  t.equal(bad.statusCode, 400, 'work is a closed list');
  t.equal(
    (await report(await as('op-wang', 'riverside-psb'), { camera_id: 'cam-square-north', work: 'repair' })).statusCode,
    403,
  );
});
