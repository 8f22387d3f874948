import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { POLICY_FILE } from '../../src/policy/enforcer.js';
import { loadRoleGrantTable } from '../../src/recorder.js';
import { type HistoryEntry, replayRequest } from '../../src/rules/access-request-states.js';
import { roleFitsUnit } from '../../src/rules/role-grants.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { baselineRoles } from '../../src/workflows/role-assignments.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const window = { from: new Date(Date.now() - 6 * HOUR).toISOString(), to: new Date(Date.now() - HOUR).toISOString() };

const REQUEST = {
  kind: 'state_organ',
  target_unit: 'riverside-psb',
  legal_basis: {
    statute: 'Criminal Procedure Law art. 54',
    document_no: 'RP-2026-311',
    case_no: 'RP-CASE-0042',
    document_sha256: 'c'.repeat(64),
  },
  officers: [
    { name: 'Zhou Lan', badge_no: 'P-1023' },
    { name: 'Qian Hui', badge_no: 'P-1187' },
  ],
  scope: { camera_ids: ['cam-square-north', 'cam-square-south'], window, actions: ['playback', 'export'] },
  purpose: 'evidence in a robbery investigation',
  reason: 'the robbery of 2026-11-28 near Central Square',
};

t.test('a state organ requests access, two approvers grant it, and decisions honour the grant', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({
    role_assignments: [
      { subject: 'appr-wu', role: 'approver', unit_id: 'riverside-psb' },
      { subject: 'appr-sun', role: 'approver', unit_id: 'riverside-metro' },
      { subject: 'pr-zhou', role: 'approver', unit_id: 'riverside-psb' },
    ],
  });
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const zhou = await as('pr-zhou', 'riverside-procuratorate');
  const li = await as('sup-li', 'riverside-psb');
  const wu = await as('appr-wu', 'riverside-psb');
  const sun = await as('appr-sun', 'riverside-metro');
  const admin = await as('admin', 'dev');
  const post = (url: string, headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url, headers, payload });

  const bad: [string, object, number, string][] = [
    ['an unknown unit', { ...REQUEST, target_unit: 'nowhere' }, 404, '/target_unit'],
    [
      'a camera of another unit',
      { ...REQUEST, scope: { ...REQUEST.scope, camera_ids: ['cam-metro-hall'] } },
      404,
      '/scope/camera_ids/0',
    ],
    ['one officer', { ...REQUEST, officers: [REQUEST.officers[0]] }, 400, '/officers'],
    ['too long a grant', { ...REQUEST, expiry_hours: 100 }, 400, '/expiry_hours'],
    [
      'a window backwards',
      { ...REQUEST, scope: { ...REQUEST.scope, window: { from: window.to, to: window.from } } },
      400,
      '/scope/window/to',
    ],
    ['an action not requestable', { ...REQUEST, scope: { ...REQUEST.scope, actions: ['broadcast'] } }, 400, '/scope/actions/0'],
    ['no legal basis', { ...REQUEST, legal_basis: undefined }, 400, '/legal_basis'],
  ];
  const before = await service.entryCount();
  for (const [name, payload, status, field] of bad) {
    const response = await post('/v1/access-requests', zhou, payload);
    t.equal(response.statusCode, status, `${name}: ${status}`);
    t.equal(response.json().errors?.[0]?.path, field, `${name}: names ${field}`);
  }
  t.equal(await service.entryCount(), before, 'bad requests write nothing');
  t.equal((await post('/v1/access-requests', li, REQUEST)).statusCode, 403, 'only state organs submit');

  const submitted = await post('/v1/access-requests', zhou, REQUEST);
  t.equal(submitted.statusCode, 201);
  const { id } = submitted.json();
  const entry = (
    await app.inject({ method: 'GET', url: `/v1/ledger/entries/${submitted.json().receipt.seq}`, headers: admin })
  ).json().entry;
  t.match(entry, {
    kind: 'access_request.submitted',
    payload: {
      request_id: id,
      legal_basis: { case_no: { $sealed: /^[0-9a-f]{64}$/ }, document_no: 'RP-2026-311' },
      officers: [{ name: { $sealed: /^[0-9a-f]{64}$/ }, badge_no: 'P-1023', subject: 'officer:P-1023' }, {}],
      reason: { $sealed: /^[0-9a-f]{64}$/ },
    },
  });

  // Who sees it: the unit addressed and the unit that asked; nobody else.
  t.match((await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: li })).json(), {
    status: 'submitted',
    approvals: 0,
    approvals_needed: 2,
    grant: null,
  });
  t.equal((await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: zhou })).statusCode, 200);
  t.equal(
    (await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: sun })).statusCode,
    404,
    'another unit: 404',
  );
  t.same((await app.inject({ method: 'GET', url: '/v1/access-requests', headers: sun })).json(), { items: [], next: null });
  t.same(
    (await app.inject({ method: 'GET', url: '/v1/access-requests', headers: await as('op-wang', 'riverside-psb') })).json(),
    { items: [], next: null },
    'without access_request:read one sees only what one submitted',
  );
  t.equal((await post(`/v1/access-requests/${id}/decisions`, sun, { decision: 'approve', reason: 'x' })).statusCode, 404);
  t.equal(
    (await post(`/v1/access-requests/${id}/decisions`, zhou, { decision: 'approve', reason: 'x' })).statusCode,
    403,
    'the requester unit does not decide',
  );
  const self = await post(`/v1/access-requests/${id}/decisions`, await as('pr-zhou', 'riverside-psb'), {
    decision: 'approve',
    reason: 'mine',
  });
  t.equal(self.statusCode, 403, 'nobody approves their own request');

  const narrowed = { camera_ids: ['cam-square-north'], window, actions: ['playback', 'export'] };
  const first = await post(`/v1/access-requests/${id}/decisions`, li, {
    decision: 'approve',
    reason: 'legal basis checked',
    scope: narrowed,
  });
  t.match(first.json(), { status: 'submitted', grant_id: null }, 'export needs a second approver');
  t.equal(
    (await post(`/v1/access-requests/${id}/decisions`, li, { decision: 'approve', reason: 'again' })).statusCode,
    409,
    'not the same one twice',
  );
  const wider = await post(`/v1/access-requests/${id}/decisions`, wu, {
    decision: 'approve',
    reason: 'ok',
    scope: { ...narrowed, camera_ids: ['cam-river-road'] },
  });
  t.equal(wider.statusCode, 400, 'an approval cannot widen the scope');
  const second = await post(`/v1/access-requests/${id}/decisions`, wu, {
    decision: 'approve',
    reason: 'four eyes',
    scope: narrowed,
  });
  t.equal(second.statusCode, 200);
  const grantId = second.json().grant_id;
  t.match(second.json(), { status: 'approved', grant_id: /^[0-9a-f-]{36}$/ });
  t.equal(
    (await post(`/v1/access-requests/${id}/decisions`, wu, { decision: 'reject', reason: 'late' })).statusCode,
    409,
    'an approved request is not rejected',
  );
  t.equal((await post(`/v1/access-requests/${id}/withdrawal`, zhou, {})).statusCode, 409, 'nor withdrawn');

  const decide = (body: object) =>
    post('/v1/decisions', zhou, { purpose: 'case_handling', reason: 'robbery evidence', grant_id: grantId, ...body });
  const allowed = (await decide({ camera_id: 'cam-square-north', action: 'playback', window })).json();
  t.match(allowed, { decision: 'allow', reasons: [] }, 'the grant permits what no role of the officer does');
  const exported = (await decide({ camera_id: 'cam-square-north', action: 'export', window })).json();
  t.match(exported, { decision: 'allow', obligations: [{ code: 'REGISTER_TRANSFER' }] });
  const outside = (await decide({ camera_id: 'cam-square-south', action: 'playback', window })).json();
  t.same(
    outside.reasons.map((reason: { code: string }) => reason.code),
    ['ROLE_NOT_PERMITTED', 'GRANT_NOT_VALID', 'NOT_REGISTERED_PERSONNEL'],
    "a camera the approvers left out is denied (and the officer is not its unit's personnel)",
  );
  const someoneElse = (
    await post('/v1/decisions', li, {
      camera_id: 'cam-square-north',
      action: 'broadcast',
      window,
      purpose: 'publication',
      reason: 'x',
      grant_id: grantId,
    })
  ).json();
  t.match(someoneElse.reasons, [{ code: 'GRANT_NOT_VALID' }], 'a grant serves its grantee only');
  const view = (await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: zhou })).json();
  t.match(view.grant, { grant_id: grantId, status: 'active', uses: 2, camera_ids: ['cam-square-north'] }, 'uses are counted');

  t.equal((await post(`/v1/grants/${grantId}/revocation`, sun, { reason: 'x' })).statusCode, 404, 'another unit cannot revoke');
  const revoked = await post(`/v1/grants/${grantId}/revocation`, li, { reason: 'the case was closed' });
  t.match(revoked.json(), { status: 'revoked' });
  const caseEntries = (await app.inject({ method: 'GET', url: '/v1/ledger/entries?case=RP-CASE-0042', headers: admin })).json();
  t.same(
    caseEntries.items.map((item: { entry: { kind: string } }) => item.entry.kind),
    ['access_request.submitted', 'access_request.approved', 'access_request.approved', 'grant.revoked'],
    "a case's entries are found by its number",
  );
  t.same((await app.inject({ method: 'GET', url: '/v1/ledger/entries?case=RP-NONE', headers: admin })).json().items, []);
  t.equal((await post(`/v1/grants/${grantId}/revocation`, li, { reason: 'again' })).statusCode, 409);
  t.match((await decide({ camera_id: 'cam-square-north', action: 'playback', window })).json(), {
    decision: 'deny',
    reasons: [{ code: 'ROLE_NOT_PERMITTED' }, { code: 'GRANT_NOT_VALID' }],
  });

  const other = (
    await post('/v1/access-requests', zhou, {
      ...REQUEST,
      scope: { ...REQUEST.scope, actions: ['playback'] },
      legal_basis: { ...REQUEST.legal_basis, case_no: 'RP-CASE-0099' },
    })
  ).json();
  t.match(
    (await post(`/v1/access-requests/${other.id}/withdrawal`, li, {})).json(),
    { code: 'forbidden' },
    'only the requester withdraws',
  );
  t.match((await post(`/v1/access-requests/${other.id}/withdrawal`, zhou, {})).json(), { status: 'withdrawn' });
  t.equal((await post(`/v1/access-requests/${other.id}/decisions`, li, { decision: 'approve', reason: 'x' })).statusCode, 409);

  const byCase = (await app.inject({ method: 'GET', url: '/v1/access-requests?case_no=RP-CASE-0042', headers: li })).json();
  t.same(
    byCase.items.map((item: { id: string }) => item.id),
    [id],
    'filtered by case number',
  );
  const approvedOnly = (await app.inject({ method: 'GET', url: '/v1/access-requests?status=withdrawn', headers: zhou })).json();
  t.same(
    approvedOnly.items.map((item: { id: string }) => item.id),
    [other.id],
  );
  const page = (await app.inject({ method: 'GET', url: '/v1/access-requests?limit=1', headers: zhou })).json();
  t.equal(page.items.length, 1);
  const rest = (
    await app.inject({ method: 'GET', url: `/v1/access-requests?limit=1&before=${page.next}`, headers: zhou })
  ).json();
  t.same(
    rest.items.map((item: { id: string }) => item.id),
    [id],
    'newest first, then the next page',
  );

  // The ledger alone tells each request's story: replayed through the state machine, it ends where
  // the service's own records do.
  const entries = (await app.inject({ method: 'GET', url: '/v1/ledger/entries?limit=1000', headers: admin })).json().items;
  for (const requestId of [id, other.id]) {
    const history = entries
      .map((item: { entry: HistoryEntry }) => item.entry)
      .filter((entry: HistoryEntry) => entry.payload.request_id === requestId);
    const replayed = replayRequest(history);
    const recorded = (await app.inject({ method: 'GET', url: `/v1/access-requests/${requestId}`, headers: zhou })).json();
    t.equal(replayed.status, recorded.status, `${recorded.status}: the status`);
    t.equal(replayed.approvers.length, recorded.approvals, 'the approvals');
    t.equal(replayed.approvalsNeeded, recorded.approvals_needed);
    t.equal(replayed.grantId, recorded.grant?.grant_id ?? null, 'the grant');
    t.equal(replayed.grant?.validUntil, recorded.grant?.valid_until, 'its end');
    t.equal(replayed.grant?.revokedAt, recorded.grant?.revoked_at ?? undefined, 'its revocation');
  }
  t.notOk(service.logs.join('').includes('Qian Hui'), "no officer's name in the log");
  t.notOk(service.logs.join('').includes('RP-CASE-0042'), 'nor the case number');
});

t.test('a person in an emergency asks, the unit consents, and the grant is short and view-only', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const tang = await as('citizen-tang', 'public');
  const li = await as('sup-li', 'riverside-psb');
  const post = (url: string, headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url, headers, payload });
  const emergency = {
    kind: 'emergency',
    target_unit: 'riverside-psb',
    emergency: {
      nature: 'life',
      relationship: 'close_relative',
      name: 'Tang Yue',
      contact: '+86 138 0000 1234',
      description: 'my father with dementia left home at noon and has not come back',
    },
    scope: { camera_ids: ['cam-river-road'], window, actions: ['playback'] },
    reason: 'find a missing person',
  };
  const before = await service.entryCount();
  const withExport = await post('/v1/access-requests', tang, {
    ...emergency,
    scope: { ...emergency.scope, actions: ['playback', 'export'] },
  });
  t.equal(withExport.statusCode, 400);
  t.equal(withExport.json().errors[0].path, '/scope/actions/1', 'an emergency asks for viewing only');
  const badNature = await post('/v1/access-requests', tang, {
    ...emergency,
    emergency: { ...emergency.emergency, nature: 'curiosity' },
  });
  t.equal(badNature.json().errors[0].path, '/emergency/nature');
  const legalBasisOnEmergency = await post('/v1/access-requests', tang, { ...emergency, officers: [] });
  t.equal(legalBasisOnEmergency.json().errors[0].path, '/officers', "a state organ's fields are not an emergency's");

  const badId = await app.inject({ method: 'POST', url: '/v1/access-requests/not-a-uuid/withdrawal', headers: tang });
  t.equal(badId.json().errors[0].path, '/id', 'a malformed id names the parameter');
  t.equal(await service.entryCount(), before, 'bad emergency requests write nothing');
  const submitted = await post('/v1/access-requests', tang, emergency);
  t.equal(submitted.statusCode, 201, 'anyone authenticated may ask in an emergency');
  const { id } = submitted.json();
  const entry = (
    await app.inject({
      method: 'GET',
      url: `/v1/ledger/entries/${submitted.json().receipt.seq}`,
      headers: await as('admin', 'dev'),
    })
  ).json().entry;
  for (const field of ['name', 'contact', 'description', 'relationship', 'nature']) {
    t.match(entry.payload.emergency[field], { $sealed: /^[0-9a-f]{64}$/ }, `the emergency's ${field} is sealed`);
  }
  t.same(
    (await app.inject({ method: 'GET', url: '/v1/access-requests', headers: tang }))
      .json()
      .items.map((item: { id: string }) => item.id),
    [id],
  );
  t.match((await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: li })).json(), {
    kind: 'emergency',
    approvals_needed: 1,
  });

  const consent = await post(`/v1/access-requests/${id}/decisions`, li, {
    decision: 'approve',
    reason: 'life at risk; consent given',
  });
  t.match(consent.json(), { status: 'approved', grant_id: /^[0-9a-f-]{36}$/ }, "one approver's consent suffices");
  const grant = (await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: tang })).json().grant;
  const hours = (Date.parse(grant.valid_until) - Date.now()) / 3_600_000;
  t.ok(hours > 3.9 && hours <= 4, `the grant lasts 4 hours (${hours.toFixed(2)})`);
  const viewed = await post('/v1/decisions', tang, {
    camera_id: 'cam-river-road',
    action: 'playback',
    window,
    purpose: 'emergency',
    reason: 'looking for my father',
    grant_id: consent.json().grant_id,
  });
  t.match(viewed.json(), { decision: 'allow', reasons: [] }, 'the requester views under the grant');
  t.notOk(service.logs.join('').includes('Tang Yue'), 'no name in the log');

  // The unit may widen an emergency request beyond viewing; export then needs a second approver.
  const second = (await post('/v1/access-requests', tang, emergency)).json();
  const widened = { ...emergency.scope, actions: ['playback', 'export'] };
  const firstConsent = await post(`/v1/access-requests/${second.id}/decisions`, li, {
    decision: 'approve',
    reason: 'footage needed by the family',
    scope: widened,
  });
  t.match(firstConsent.json(), { status: 'submitted', grant_id: null }, 'widened to export: one approval is not enough');
  t.match((await app.inject({ method: 'GET', url: `/v1/access-requests/${second.id}`, headers: li })).json(), {
    approvals_needed: 2,
  });
  await service.setUp({ role_assignments: [{ subject: 'appr-wu', role: 'approver', unit_id: 'riverside-psb' }] });
  const secondConsent = await post(`/v1/access-requests/${second.id}/decisions`, await as('appr-wu', 'riverside-psb'), {
    decision: 'approve',
    reason: 'agreed',
    scope: widened,
  });
  t.match(secondConsent.json(), { status: 'approved' });
  t.match((await app.inject({ method: 'GET', url: `/v1/access-requests/${second.id}`, headers: tang })).json().grant, {
    actions: ['playback', 'export'],
  });
  t.notOk(service.logs.join('').includes('138 0000'), 'no contact in the log');
});

t.test('an approved legal hold keeps a window beyond retention open for that case until it is released', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const zhou = await as('pr-zhou', 'riverside-procuratorate');
  const li = await as('sup-li', 'riverside-psb');
  const post = (url: string, headers: Record<string, string>, payload: object) =>
    app.inject({ method: 'POST', url, headers, payload });
  // 40 days ago: beyond the 30 days the street system keeps footage.
  const old = {
    from: new Date(Date.now() - 40 * 24 * HOUR - HOUR).toISOString(),
    to: new Date(Date.now() - 40 * 24 * HOUR).toISOString(),
  };
  const submitted = await post('/v1/access-requests', zhou, {
    ...REQUEST,
    scope: { camera_ids: ['cam-square-north'], window: old, actions: ['playback'] },
    legal_hold: true,
  });
  const { id } = submitted.json();
  const approved = await post(`/v1/access-requests/${id}/decisions`, li, { decision: 'approve', reason: 'hold for the trial' });
  t.match(approved.json(), { status: 'approved', hold_id: /^[0-9a-f-]{36}$/ });
  const { grant_id: grantId, hold_id: holdId } = approved.json();
  t.match((await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: zhou })).json(), {
    legal_hold_requested: true,
    legal_hold: { hold_id: holdId, status: 'active', camera_ids: ['cam-square-north'] },
  });

  const ask = async (headers: Record<string, string>, extra: object) =>
    (
      await post('/v1/decisions', headers, {
        camera_id: 'cam-square-north',
        action: 'playback',
        window: old,
        purpose: 'case_handling',
        reason: 'trial evidence',
        ...extra,
      })
    ).json();
  t.match(await ask(zhou, { grant_id: grantId }), { decision: 'allow', reasons: [] }, 'the hold lifts retention for the case');
  t.match(
    await ask(await as('op-wang', 'riverside-psb'), {}),
    { decision: 'deny', reasons: [{ code: 'OUTSIDE_RETENTION' }] },
    'for anyone else retention still applies',
  );
  t.equal(
    (await post(`/v1/legal-holds/${holdId}/release`, zhou, { reason: 'x' })).statusCode,
    404,
    'the requester does not release it',
  );
  const released = await post(`/v1/legal-holds/${holdId}/release`, li, { reason: 'judgment final' });
  t.match(released.json(), { status: 'released' });
  t.equal((await post(`/v1/legal-holds/${holdId}/release`, li, { reason: 'again' })).statusCode, 409);
  t.match(
    await ask(zhou, { grant_id: grantId }),
    { decision: 'deny', reasons: [{ code: 'OUTSIDE_RETENTION' }] },
    'after release the grant no longer reaches past retention',
  );
  const admin = await as('admin', 'dev');
  const history = (await app.inject({ method: 'GET', url: '/v1/ledger/entries?limit=1000', headers: admin }))
    .json()
    .items.map((item: { entry: HistoryEntry }) => item.entry)
    .filter((entry: HistoryEntry) => entry.payload.request_id === id);
  t.same(
    history.map((entry: HistoryEntry) => entry.kind),
    ['access_request.submitted', 'access_request.approved', 'legal_hold.released'],
  );
  t.match(replayRequest(history), { status: 'approved', grantId }, 'the release is part of the history the ledger tells');
});

t.test('isolation, role by role: only the unit addressed decides, and no other unit sees the request', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  // Every baseline role that a using unit may hold (policies/role-assignments.yaml): the others
  // (state organ officers, auditors, the oversight role) cannot be assigned in such a unit at all.
  const grants = loadRoleGrantTable(baselineRoles(await readFile(POLICY_FILE, 'utf8')));
  const ROLES = [...grants.keys()].filter((role) => roleFitsUnit(grants, role, 'using_unit'));
  t.ok(ROLES.includes('approver') && ROLES.includes('gateway') && !ROLES.includes('auditor'), 'the roles of a using unit');
  await service.setUp({
    role_assignments: ROLES.flatMap((role) => [
      { subject: `in-${role}`, role, unit_id: 'riverside-psb' },
      { subject: `out-${role}`, role, unit_id: 'riverside-metro' },
    ]),
  });
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const zhou = await as('pr-zhou', 'riverside-procuratorate');
  const { id } = (
    await app.inject({
      method: 'POST',
      url: '/v1/access-requests',
      headers: zhou,
      payload: { ...REQUEST, scope: { ...REQUEST.scope, actions: ['playback'] } },
    })
  ).json();
  for (const role of ROLES) {
    const outside = await as(`out-${role}`, 'riverside-metro');
    t.equal(
      (await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: outside })).statusCode,
      404,
      `${role} of another unit: not seen`,
    );
    const listed = (await app.inject({ method: 'GET', url: '/v1/access-requests', headers: outside })).json();
    t.same(listed.items, [], `${role} of another unit: not listed`);
    const decided = await app.inject({
      method: 'POST',
      url: `/v1/access-requests/${id}/decisions`,
      headers: outside,
      payload: { decision: 'reject', reason: 'not ours' },
    });
    t.equal(decided.statusCode, 404, `${role} of another unit: cannot decide`);
    const inside = await as(`in-${role}`, 'riverside-psb');
    const seen = await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: inside });
    // Roles with access_request:read in the unit addressed see its requests; only approvers decide.
    const reads = role === 'approver';
    t.equal(seen.statusCode, reads ? 200 : 404, `${role} of the unit addressed: ${reads ? 'sees it' : 'does not see it'}`);
    if (role !== 'approver') {
      const attempt = await app.inject({
        method: 'POST',
        url: `/v1/access-requests/${id}/decisions`,
        headers: inside,
        payload: { decision: 'reject', reason: 'not mine to decide' },
      });
      t.equal(attempt.statusCode, reads ? 403 : 404, `${role} of the unit addressed: cannot decide`);
    }
  }
  t.equal(
    (await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: zhou })).statusCode,
    200,
    'the state organ sees its own',
  );
  const colleague = await as('in-state_organ_officer', 'riverside-procuratorate');
  t.equal(
    (await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: colleague })).statusCode,
    404,
    'an officer without access_request:read in the submitting unit sees only their own requests',
  );
  t.equal(
    (
      await app.inject({ method: 'GET', url: `/v1/access-requests/${id}`, headers: await as('in-approver', 'riverside-psb') })
    ).json().status,
    'submitted',
    'nothing was decided',
  );
});
