import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { CliIo } from '../../src/cli/command.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { loadConfig } from '../../src/config.js';
import { openCheckpoint } from '../../src/ledger/checkpoint.js';
import { leafHash } from '../../src/ledger/hashes.js';
import { parseVerifierKey } from '../../src/ledger/note.js';
import { verifyProofFile } from '../../src/ledger/proof-file.js';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/proofs.js';
import { exampleDistrict, startTestService } from '../helpers/service.js';

function cliIo(): CliIo & { out: string; err: string } {
  const io = {
    env: {},
    out: '',
    err: '',
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
    loadConfig: () => loadConfig({}),
  };
  return io;
}

t.test('the ledger over HTTP: events, keys, checkpoints, entries, proofs, receipts, verification and export', async (t) => {
  const service = await startTestService({ LEDGER_ORIGIN: 'district.example/ledger' });
  const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-ledger-'));
  t.teardown(async () => {
    await service.close();
    await rm(directory, { recursive: true, force: true });
  });
  const { app } = service.service;
  const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
  const operator = { authorization: `Bearer ${await service.token('li', 'district-7')}` };
  const gateway = { authorization: `Bearer ${await service.token('gw-7', 'district-7')}` };
  await service.setUp({
    units: [{ id: 'district-7', name: 'District 7', kind: 'using_unit' }],
    systems: [
      { id: 'd7', unit_id: 'district-7', name: 'D7', legal_basis: 'government', went_live_on: '2025-01-01', signage: true },
    ],
    cameras: [0, 1, 2].map((i) => ({ id: `cam-${i}`, system_id: 'd7', name: `C${i}`, location: 'x', location_class: 'road' })),
    role_assignments: [{ subject: 'gw-7', role: 'gateway', unit_id: 'district-7' }],
  });

  const genesis = await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' });
  t.equal(genesis.statusCode, 200, 'the key is recorded and checkpointed at start');
  t.match(genesis.body, /^district\.example\/ledger\n\d+\n/);
  // Start-up records the signing key (entry 0) and, outside production, the development administrator.
  const start = Number(genesis.body.split('\n')[1]);
  const total = start + 20;
  t.match((await app.inject({ method: 'GET', url: '/v1/ledger/entries/0', headers: admin })).json().entry, {
    kind: 'key.rotated',
  });
  t.equal((await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint?size=999' })).statusCode, 404);

  const events = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      app.inject({
        method: 'POST',
        url: '/v1/ledger/events',
        headers: gateway,
        payload: { kind: 'playback.started', payload: { camera_id: `cam-${i % 3}`, session_id: `s-${i}` } },
      }),
    ),
  );
  t.same([...new Set(events.map((response) => response.statusCode))], [201]);
  const receipt = events[7]?.json().receipt;
  t.match(receipt, { seq: Number, leaf_hash: /^[0-9a-f]{64}$/, tree_size: Number });

  const refused = await app.inject({
    method: 'POST',
    url: '/v1/ledger/events',
    headers: operator,
    payload: { kind: 'playback.started', payload: { camera_id: 'c', session_id: 's' } },
  });
  t.equal(refused.statusCode, 403, 'only callers with ledger_event:create record events');
  const otherUnits = await app.inject({
    method: 'POST',
    url: '/v1/ledger/events',
    headers: gateway,
    payload: {
      kind: 'footage.deleted',
      payload: {
        camera_id: 'cam-elsewhere',
        window: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
        cause: 'retention_expired',
      },
    },
  });
  t.equal(otherUnits.statusCode, 403, "a gateway records nothing for a camera outside its units' scope");
  t.equal(otherUnits.json().errors[0].path, '/payload/camera_id');
  const badEvents: [unknown, string][] = [
    [{ kind: 'camera.exploded', payload: {} }, '/kind'],
    [
      {
        kind: 'footage.deleted',
        payload: {
          camera_id: 'c',
          window: { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
          cause: 'retention_expired',
        },
      },
      '/payload/window/to',
    ],
    [
      {
        kind: 'footage.deleted',
        payload: { camera_id: 'c', window: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' } },
      },
      '/payload/cause',
    ],
    [{ kind: 'playback.stopped', payload: { camera_id: 'c', session_id: 's', note: 'x' } }, '/payload/note'],
    [{ kind: 'playback.started' }, '/payload'],
  ];
  const before = (await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' })).body;
  for (const [payload, field] of badEvents) {
    const response = await app.inject({ method: 'POST', url: '/v1/ledger/events', headers: gateway, payload: payload as object });
    t.equal(response.statusCode, 400, `bad event names ${field}`);
    t.equal(response.json().errors[0].path, field);
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' })).body, before, 'bad events write nothing');

  const keyText = (await app.inject({ method: 'GET', url: '/v1/ledger/key' })).body.trim();
  const key = parseVerifierKey(keyText);
  t.equal(key.name, 'district.example/ledger');
  const keys = (await app.inject({ method: 'GET', url: '/v1/ledger/keys' })).json();
  t.match(keys, { origin: 'district.example/ledger', current: keyText, keys: [{ key: keyText, introduced_at_seq: 0 }] });

  const checkpointNote = (await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' })).body;
  const checkpoint = openCheckpoint(checkpointNote, 'district.example/ledger', [key]);
  t.equal(checkpoint.size, total, 'start-up entries plus twenty events');
  const sized = await app.inject({ method: 'GET', url: `/v1/ledger/checkpoint?size=${receipt.tree_size}` });
  t.equal(sized.statusCode, 200);
  t.equal(openCheckpoint(sized.body, 'district.example/ledger', [key]).size, receipt.tree_size);

  const entry = (await app.inject({ method: 'GET', url: `/v1/ledger/entries/${receipt.seq}`, headers: admin })).json();
  t.equal(
    leafHash(Buffer.from(entry.canonical, 'base64')).toString('hex'),
    receipt.leaf_hash,
    'the canonical bytes hash to the receipt',
  );
  t.match(entry.entry, { v: 1, seq: receipt.seq, kind: 'playback.started', actor: { unit: 'district-7', subject: 'gw-7' } });
  t.equal((await app.inject({ method: 'GET', url: `/v1/ledger/entries/${receipt.seq}`, headers: operator })).statusCode, 403);

  const page = (
    await app.inject({ method: 'GET', url: '/v1/ledger/entries?from=0&limit=5&camera=cam-1', headers: admin })
  ).json();
  t.equal(page.items.length, 5);
  t.ok(page.items.every((item: { entry: { payload: { camera_id: string } } }) => item.entry.payload.camera_id === 'cam-1'));
  t.type(page.next, 'number');
  const kinds = (await app.inject({ method: 'GET', url: '/v1/ledger/entries?kind=key.rotated', headers: admin })).json();
  t.same(
    kinds.items.map((item: { seq: number }) => item.seq),
    [0],
  );
  t.equal(kinds.next, null);

  for (let seq = 0; seq < total; seq += 1) {
    const proof = (
      await app.inject({ method: 'GET', url: `/v1/ledger/proofs/inclusion?seq=${seq}&tree_size=${total}`, headers: admin })
    ).json();
    const ok = verifyInclusion(
      seq,
      total,
      Buffer.from(proof.leaf_hash, 'hex'),
      proof.hashes.map((h: string) => Buffer.from(h, 'hex')),
      checkpoint.root,
    );
    if (!ok) t.fail(`inclusion proof of ${seq}`);
  }
  const earlier = openCheckpoint(sized.body, 'district.example/ledger', [key]);
  const consistency = (
    await app.inject({ method: 'GET', url: `/v1/ledger/proofs/consistency?from=${earlier.size}&to=${total}`, headers: admin })
  ).json();
  t.ok(
    verifyConsistency(
      earlier.size,
      total,
      earlier.root,
      checkpoint.root,
      consistency.hashes.map((h: string) => Buffer.from(h, 'hex')),
    ),
    'consistency proof holds',
  );

  const receiptFile = await app.inject({ method: 'GET', url: `/v1/ledger/entries/${receipt.seq}/receipt`, headers: admin });
  t.equal(receiptFile.statusCode, 200);
  t.match(receiptFile.body, /^c2sp\.org\/tlog-proof@v1\nextra /);
  t.ok(
    verifyProofFile(receiptFile.body, 'district.example/ledger', [key]).size >= receipt.seq + 1,
    'the receipt verifies offline',
  );

  const badQueries: [string, number, string][] = [
    ['/v1/ledger/entries/-1', 400, 'seq'],
    ['/v1/ledger/entries/abc', 400, 'seq'],
    ['/v1/ledger/entries/1.5', 400, 'seq'],
    ['/v1/ledger/entries/99999999999999999999', 400, 'seq'],
    ['/v1/ledger/entries/500', 404, ''],
    ['/v1/ledger/entries/500/receipt', 404, ''],
    ['/v1/ledger/proofs/inclusion?seq=5&tree_size=3', 400, '/seq'],
    ['/v1/ledger/proofs/inclusion?seq=5', 400, '/tree_size'],
    ['/v1/ledger/proofs/inclusion?seq=5&tree_size=900', 404, ''],
    ['/v1/ledger/proofs/consistency?from=9&to=3', 400, '/from'],
    ['/v1/ledger/proofs/consistency?from=0&to=3', 400, '/from'],
    ['/v1/ledger/proofs/consistency?from=3&to=900', 404, ''],
    ['/v1/ledger/checkpoint?size=-2', 400, '/size'],
    ['/v1/ledger/checkpoint?size=999', 404, ''],
    ['/v1/ledger/entries?limit=5000', 400, '/limit'],
    ['/v1/ledger/export?from=9&to=3', 400, '/from'],
    ['/v1/ledger/export?to=900', 404, ''],
  ];
  for (const [url, status, field] of badQueries) {
    const response = await app.inject({ method: 'GET', url, headers: admin });
    t.equal(response.statusCode, status, url);
    t.match(response.headers['content-type'], /problem\+json/, `${url} is problem+json`);
    if (field !== '') t.match(JSON.stringify(response.json().errors ?? response.json().detail), field, `${url} names ${field}`);
  }

  const verification = await app.inject({ method: 'POST', url: '/v1/ledger/verifications', headers: admin, payload: {} });
  t.equal(verification.statusCode, 200);
  t.match(verification.headers['content-type'], /application\/x-ndjson/);
  const lines = verification.body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  t.match(lines[0], { progress: { entries_checked: Number } });
  t.match(lines.at(-1), {
    result: { ok: true, tree_size: total, entries_checked: total, first_failure: null },
    receipt: { seq: total },
  });
  const recorded = (await app.inject({ method: 'GET', url: `/v1/ledger/entries/${total}`, headers: admin })).json();
  t.match(recorded.entry, { kind: 'ledger.verified', payload: { ok: true, tree_size: total } });

  const incremental = await app.inject({
    method: 'POST',
    url: '/v1/ledger/verifications',
    headers: admin,
    payload: { trusted_checkpoint: sized.body },
  });
  const incrementalResult = JSON.parse(incremental.body.trim().split('\n').at(-1) as string).result;
  t.match(incrementalResult, { ok: true, tree_size: total + 1, entries_checked: total + 1 - earlier.size });
  const forged = await app.inject({
    method: 'POST',
    url: '/v1/ledger/verifications',
    headers: admin,
    payload: { trusted_checkpoint: sized.body.replace(/\n\n.*/s, '\n\n— district.example/ledger AAAAAAAA\n') },
  });
  t.equal(forged.statusCode, 400);
  t.equal(forged.json().errors[0].path, '/trusted_checkpoint');
  t.equal(
    (await app.inject({ method: 'POST', url: '/v1/ledger/verifications', headers: operator, payload: {} })).statusCode,
    403,
  );

  const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: admin })).body;
  t.match(metrics, /footage_warden_ledger_appends_total [23][0-9]/, 'appends are counted');
  t.match(metrics, /footage_warden_ledger_batch_size_count [1-9]/, 'batch sizes are observed');
  t.match(metrics, /footage_warden_ledger_append_commit_seconds_count [23][0-9]/, 'append-to-commit latency is observed');
  t.match(metrics, /footage_warden_ledger_checkpoint_age_seconds \d/, 'the checkpoint age is reported');
  t.match(metrics, /footage_warden_ledger_last_verification_ok 1/, "the last verification's result is reported");

  const exported = await app.inject({ method: 'GET', url: '/v1/ledger/export', headers: admin });
  t.equal(exported.statusCode, 200);
  const file = path.join(directory, 'ledger.ndjson');
  await writeFile(file, exported.body);
  const io = cliIo();
  t.equal(await verifyCommand.run([file, '--key', keyText], io), 0, io.out);
  t.match(io.out, new RegExp(`^ok: district\\.example/ledger, ${total + 2} entries`));

  const partial = await app.inject({ method: 'GET', url: `/v1/ledger/export?from=10&to=${total}`, headers: admin });
  const partialFile = path.join(directory, 'partial.ndjson');
  await writeFile(partialFile, partial.body);
  t.equal(
    await verifyCommand.run([partialFile, '--key', keyText], cliIo()),
    0,
    'a partial export verifies from its stated start',
  );
});

t.test('a playback event naming a decision must name a recorded allow for the same camera', async (t) => {
  const service = await startTestService();
  t.teardown(() => service.close());
  await service.setUp(await exampleDistrict([{ subject: 'gw-river', role: 'gateway', unit_id: 'riverside-psb' }]));
  const { app } = service.service;
  const decide = async (subject: string) =>
    (
      await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: { authorization: `Bearer ${await service.token(subject, 'riverside-psb')}` },
        payload: { camera_id: 'cam-square-north', action: 'live', purpose: 'public_safety', reason: 'watch' },
      })
    ).json().decision_id as string;
  const allow = await decide('op-wang');
  const deny = await decide('op-zhao');
  const gateway = { authorization: `Bearer ${await service.token('gw-river', 'riverside-psb')}` };
  const event = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/ledger/events', headers: gateway, payload: { kind: 'playback.started', payload } });
  t.equal(
    (await event({ camera_id: 'cam-square-north', session_id: 'ok', decision_id: allow, gateway: 'nginx' })).statusCode,
    201,
  );
  for (const [what, payload] of [
    ['a deny', { camera_id: 'cam-square-north', session_id: 's1', decision_id: deny }],
    ['another camera', { camera_id: 'cam-square-south', session_id: 's2', decision_id: allow }],
    [
      'no such decision',
      { camera_id: 'cam-square-north', session_id: 's3', decision_id: 'f0f0f0f0-0000-4000-8000-000000000000' },
    ],
  ] as const) {
    const answer = await event(payload);
    t.equal(answer.statusCode, 400, what);
    t.match(answer.json(), { errors: [{ path: '/payload/decision_id' }] }, what);
  }
});
