import { readFile } from 'node:fs/promises';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function windowEndingAgo(msAgo: number, length = HOUR) {
  const to = Date.now() - msAgo;
  return { from: new Date(to - length).toISOString(), to: new Date(to).toISOString() };
}

t.test('decisions apply every article rule and record allows and denies alike', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({ role_assignments: [{ subject: 'temp-guo', role: 'operator', unit_id: 'riverside-psb' }] });
  const { app } = service.service;
  const as = async (subject: string, unit: string) => ({ authorization: `Bearer ${await service.token(subject, unit)}` });
  const decide = async (subject: string, unit: string, body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/decisions', headers: await as(subject, unit), payload: body });
  const recent = windowEndingAgo(HOUR);
  const base = { purpose: 'public_safety', reason: 'incident report 2026-118 at the square' };

  const cases: {
    name: string;
    who: [string, string];
    body: Record<string, unknown>;
    decision: 'allow' | 'deny';
    reasons?: string[];
    obligations?: string[];
  }[] = [
    {
      name: 'an operator plays back',
      who: ['op-wang', 'riverside-psb'],
      body: { camera_id: 'cam-square-north', action: 'playback', window: recent },
      decision: 'allow',
      reasons: [],
      obligations: [],
    },
    {
      name: 'an operator may not export (23(2))',
      who: ['op-wang', 'riverside-psb'],
      body: { camera_id: 'cam-square-north', action: 'export', window: recent },
      decision: 'deny',
      reasons: ['ROLE_NOT_PERMITTED'],
    },
    {
      name: 'a supervisor exports and must register the transfer (23(3))',
      who: ['sup-li', 'riverside-psb'],
      body: { camera_id: 'cam-square-north', action: 'export', window: recent },
      decision: 'allow',
      reasons: [],
      obligations: ['REGISTER_TRANSFER'],
    },
    {
      name: 'lapsed training denies (23(1))',
      who: ['op-zhao', 'riverside-psb'],
      body: { camera_id: 'cam-river-road', action: 'playback', window: recent },
      decision: 'deny',
      reasons: ['TRAINING_LAPSED'],
    },
    {
      name: 'a person with a role but no personnel record is denied (23(1))',
      who: ['temp-guo', 'riverside-psb'],
      body: { camera_id: 'cam-river-road', action: 'live' },
      decision: 'deny',
      reasons: ['NOT_REGISTERED_PERSONNEL'],
    },
    {
      name: 'a prohibited location denies (11)',
      who: ['metro-sun', 'riverside-metro'],
      body: { camera_id: 'cam-metro-restroom', action: 'live' },
      decision: 'deny',
      reasons: ['PROHIBITED_LOCATION', 'FILING_OVERDUE'],
    },
    {
      name: 'an overdue filing warns (17)',
      who: ['metro-sun', 'riverside-metro'],
      body: { camera_id: 'cam-metro-hall', action: 'live' },
      decision: 'allow',
      reasons: ['FILING_OVERDUE'],
      obligations: [],
    },
    {
      name: 'roles and registration hold only in their unit',
      who: ['op-wang', 'riverside-psb'],
      body: { camera_id: 'cam-metro-hall', action: 'live' },
      decision: 'deny',
      reasons: ['ROLE_NOT_PERMITTED', 'NOT_REGISTERED_PERSONNEL', 'FILING_OVERDUE'],
    },
    {
      name: 'a maintainer views live for maintenance (22)',
      who: ['mt-chen', 'brightlens'],
      body: { camera_id: 'cam-river-road', action: 'live', purpose: 'maintenance' },
      decision: 'allow',
      reasons: [],
    },
    {
      name: 'a maintainer may not play back (22)',
      who: ['mt-chen', 'brightlens'],
      body: { camera_id: 'cam-river-road', action: 'playback', window: recent, purpose: 'maintenance' },
      decision: 'deny',
      reasons: ['ROLE_NOT_PERMITTED', 'MAINTENANCE_LIVE_ONLY'],
    },
    {
      name: 'a window beyond retention denies (16)',
      who: ['op-wang', 'riverside-psb'],
      body: { camera_id: 'cam-square-north', action: 'playback', window: windowEndingAgo(40 * DAY) },
      decision: 'deny',
      reasons: ['OUTSIDE_RETENTION'],
    },
    {
      name: 'a purpose outside public safety denies (16)',
      who: ['op-wang', 'riverside-psb'],
      body: { camera_id: 'cam-square-north', action: 'playback', window: recent, purpose: 'commercial' },
      decision: 'deny',
      reasons: ['PURPOSE_NOT_PERMITTED'],
    },
    {
      name: 'a broadcast must mask faces, plates and names (26)',
      who: ['sup-li', 'riverside-psb'],
      body: { camera_id: 'cam-square-south', action: 'broadcast', window: recent, purpose: 'publication' },
      decision: 'allow',
      obligations: ['MASK_SENSITIVE_INFORMATION'],
    },
    {
      name: 'recorded consent lifts the masking obligation (26)',
      who: ['sup-li', 'riverside-psb'],
      body: {
        camera_id: 'cam-square-south',
        action: 'broadcast',
        window: recent,
        purpose: 'publication',
        publication_consent: 'consent form 2026-77',
      },
      decision: 'allow',
      obligations: [],
    },
  ];
  for (const item of cases) {
    const before = await service.entryCount();
    const response = await decide(item.who[0], item.who[1], { ...base, ...item.body });
    t.equal(response.statusCode, 200, `${item.name}: 200`);
    const body = response.json();
    t.equal(body.decision, item.decision, `${item.name}: ${item.decision}`);
    if (item.reasons !== undefined)
      t.same(
        body.reasons.map((r: { code: string }) => r.code),
        item.reasons,
        `${item.name}: reasons`,
      );
    if (item.obligations !== undefined) {
      t.same(
        body.obligations.map((o: { code: string }) => o.code),
        item.obligations,
        `${item.name}: obligations`,
      );
    }
    t.equal(body.valid_until === null, item.decision === 'deny', `${item.name}: valid_until only on an allow`);
    t.equal(await service.entryCount(), before + 1, `${item.name}: exactly one entry`);
    const entry = (
      await app.inject({ method: 'GET', url: `/v1/ledger/entries/${body.receipt.seq}`, headers: await as('admin', 'dev') })
    ).json();
    t.match(entry.entry, { kind: 'decision.made', payload: { decision_id: body.decision_id, decision: item.decision } });
    t.match(entry.entry.payload.reason, { $sealed: /^[0-9a-f]{64}$/ }, `${item.name}: the reason is sealed`);
  }
  const reason = (await decide('op-wang', 'riverside-psb', { ...base, camera_id: 'cam-square-north', action: 'live' })).json()
    .reasons;
  t.same(reason, [], 'a live view needs no window');
  const withArticle = (await decide('op-zhao', 'riverside-psb', { ...base, camera_id: 'cam-river-road', action: 'live' })).json();
  t.same(withArticle.reasons[0], {
    code: 'TRAINING_LAPSED',
    article: '23(1)',
    message: "the person's job training for a monitoring or management position is not current",
  });
});

t.test('bad decision requests get a problem naming the field and write nothing', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const { app } = service.service;
  const operator = { authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}` };
  const good = {
    camera_id: 'cam-square-north',
    action: 'playback',
    window: windowEndingAgo(HOUR),
    purpose: 'public_safety',
    reason: 'r',
  };
  const future = { from: new Date(Date.now() - HOUR).toISOString(), to: new Date(Date.now() + HOUR).toISOString() };
  const bad: [string, Record<string, unknown>, number, string][] = [
    ['unknown camera', { ...good, camera_id: 'cam-nowhere' }, 404, '/camera_id'],
    ['to before from', { ...good, window: { from: good.window.to, to: good.window.from } }, 400, '/window/to'],
    ['a window in the future', { ...good, window: future }, 400, '/window/to'],
    ['an unknown purpose', { ...good, purpose: 'curiosity' }, 400, '/purpose'],
    ['a missing reason', { ...good, reason: undefined }, 400, '/reason'],
    ['a blank reason', { ...good, reason: '   ' }, 400, '/reason'],
    ['a playback without window', { ...good, window: undefined }, 400, '/window'],
    ['a live view with a window', { ...good, action: 'live' }, 400, '/window'],
    ['an unknown action', { ...good, action: 'download' }, 400, '/action'],
    ['an unknown member', { ...good, extra: 1 }, 400, '/extra'],
    [
      'on_behalf_of from a caller without the gateway role',
      { ...good, on_behalf_of: { subject: 'op-zhao', name: 'Zhao Min' } },
      403,
      '/on_behalf_of',
    ],
    ['an unknown grant', { ...good, grant_id: '2b1f7c52-6a0e-4d36-9d7c-5b0f0c8a1e11' }, 404, '/grant_id'],
  ];
  const before = await service.entryCount();
  for (const [name, body, status, path] of bad) {
    const response = await app.inject({ method: 'POST', url: '/v1/decisions', headers: operator, payload: body });
    t.equal(response.statusCode, status, `${name}: ${status}`);
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8', `${name}: problem+json`);
    t.equal(response.json().errors?.[0]?.path, path, `${name}: names ${path}`);
  }
  t.equal(await service.entryCount(), before, 'nothing was written');
  const anonymous = await app.inject({ method: 'POST', url: '/v1/decisions', payload: good });
  t.equal(anonymous.statusCode, 401);
  const noRole = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: { authorization: `Bearer ${await service.token('nobody', 'riverside-psb')}` },
    payload: good,
  });
  t.equal(noRole.statusCode, 403, 'decision:create is needed to ask');

  const slightlyAhead = { from: new Date(Date.now() - HOUR).toISOString(), to: new Date(Date.now() + 30_000).toISOString() };
  const ahead = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: operator,
    payload: { ...good, window: slightlyAhead },
  });
  t.equal(ahead.json().decision, 'allow', "a caller's clock 30 s ahead is tolerated");
  await service.setUp({
    cameras: [
      {
        id: 'cam-river-road',
        system_id: 'riverside-streets',
        name: 'River Road junction',
        location: 'River Road and Bridge Street',
        location_class: 'road',
        active: false,
      },
    ],
  });
  const inactive = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: operator,
    payload: { ...good, camera_id: 'cam-river-road' },
  });
  t.equal(inactive.statusCode, 404, 'a deactivated camera is not decided on');
  await service.setUp({
    units: [{ id: 'riverside-psb', name: 'Riverside District Public Security Bureau', kind: 'using_unit', active: false }],
  });
  const unitGone = await app.inject({ method: 'POST', url: '/v1/decisions', headers: operator, payload: good });
  t.equal(unitGone.statusCode, 404, 'nor a camera of a deactivated unit');
});

t.test('a gateway decides on behalf of a person, whose name is sealed and never logged', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({ role_assignments: [{ subject: 'gateway-1', role: 'gateway', unit_id: 'riverside-psb' }] });
  const { app } = service.service;
  const gateway = { authorization: `Bearer ${await service.token('gateway-1', 'riverside-psb')}` };
  const response = await app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: gateway,
    payload: {
      camera_id: 'cam-square-north',
      action: 'live',
      purpose: 'public_safety',
      reason: 'patrol support for Wang Fang',
      on_behalf_of: { subject: 'op-wang', name: 'Wang Fang' },
    },
  });
  t.equal(response.statusCode, 200);
  const body = response.json();
  t.equal(body.decision, 'allow', "the person's roles and training decide, not the gateway's");
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  const entry = (
    await app.inject({ method: 'GET', url: `/v1/ledger/entries/${body.receipt.seq}?open=true`, headers: admin })
  ).json();
  t.match(entry.entry.payload.person, { subject: 'op-wang', name: { $sealed: /^[0-9a-f]{64}$/ } });
  t.match(entry.entry.actor, { subject: 'gateway-1', unit: 'riverside-psb' });
  t.same(
    entry.opened.map((value: { pointer: string }) => value.pointer).sort(),
    ['/payload/person/name', '/payload/reason'],
    'the name and the reason open for personal_data:read',
  );
  t.notOk(service.logs.join('').includes('Wang Fang'), 'the log never carries the name');
});

t.test('a gateway speaks only for people of its unit or of units that entrusted it', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  await service.setUp({
    role_assignments: [
      { subject: 'psb-gw', role: 'gateway', unit_id: 'riverside-psb' },
      { subject: 'metro-gw', role: 'gateway', unit_id: 'riverside-metro' },
      { subject: 'lens-gw', role: 'gateway', unit_id: 'brightlens' },
    ],
  });
  const { app } = service.service;
  const ask = async (gateway: [string, string], person: string, action = 'live', camera = 'cam-square-north') => {
    const window = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() - 60_000).toISOString() };
    return app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { authorization: `Bearer ${await service.token(...gateway)}` },
      payload: {
        camera_id: camera,
        action,
        ...(action === 'live' ? {} : { window }),
        purpose: action === 'live' ? 'maintenance' : 'public_safety',
        reason: 'asked through the gateway',
        on_behalf_of: { subject: person, name: 'Someone' },
      },
    });
  };
  const before = await service.entryCount();
  for (const [name, gateway, person, action] of [
    ["another unit's operator", ['metro-gw', 'riverside-metro'], 'op-wang', 'live'],
    ["another unit's supervisor, for an export", ['metro-gw', 'riverside-metro'], 'sup-li', 'export'],
    ['a person registered nowhere', ['psb-gw', 'riverside-psb'], 'nobody-known', 'live'],
    ["a unit's person through an operator it did not entrust", ['lens-gw', 'brightlens'], 'pr-zhou', 'live'],
  ] as const) {
    const refused = await ask([...gateway], person, action);
    t.equal(refused.statusCode, 403, name);
    t.match(
      refused.json(),
      { code: 'forbidden', errors: [{ location: 'body', path: '/on_behalf_of' }] },
      `${name}: names the field`,
    );
  }
  t.equal(await service.entryCount(), before, 'a refused request records nothing');
  const entrusted = await ask(['lens-gw', 'brightlens'], 'op-wang');
  t.equal(entrusted.statusCode, 200, "an entrusted operator's gateway speaks for the unit that entrusted it");
  const own = await ask(['lens-gw', 'brightlens'], 'mt-chen');
  t.equal(own.json().decision, 'allow', 'and for its own maintainer, whose roles decide');
});

t.test('REGULATION_PROFILE points decisions at the law in force without a code change', async (t) => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-profile-'));
  const file = path.join(directory, 'broken.yaml');
  // Decree 799 renumbered the articles: the personnel duties of draft 23(1) are its 16(2)(1).
  const service = await startTestService({ REGULATION_PROFILE: 'policies/regulation-decree-799.yaml' });
  t.teardown(async () => {
    await service.close();
    await rm(directory, { recursive: true, force: true });
  });
  await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
  const response = await service.service.app.inject({
    method: 'POST',
    url: '/v1/decisions',
    headers: { authorization: `Bearer ${await service.token('op-zhao', 'riverside-psb')}` },
    payload: { camera_id: 'cam-river-road', action: 'live', purpose: 'public_safety', reason: 'patrol' },
  });
  t.match(response.json().reasons, [
    { code: 'TRAINING_LAPSED', article: '16(2)(1)', message: /monitoring or administration post/ },
  ]);

  const { loadRegulationProfile } = await import('../../src/profiles.js');
  const { loadConfig } = await import('../../src/config.js');
  await writeFile(file, 'name: broken\n');
  await t.rejects(loadRegulationProfile(loadConfig({ REGULATION_PROFILE: file })), {
    name: 'ConfigError',
    message: /^REGULATION_PROFILE: /,
  });
  await t.rejects(loadRegulationProfile(loadConfig({ REGULATION_PROFILE: path.join(directory, 'none.yaml') })), {
    name: 'ConfigError',
  });
});
