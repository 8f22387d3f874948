import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import type { CliIo } from '../../src/cli/command.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { loadConfig } from '../../src/config.js';
import { openCheckpoint } from '../../src/ledger/checkpoint.js';
import { leafHash } from '../../src/ledger/hashes.js';
import { parseVerifierKey } from '../../src/ledger/note.js';
import { verifyInclusion } from '../../src/ledger/proofs.js';
import { startTestService } from '../helpers/service.js';

function cliIo(): CliIo & { out: string } {
  const io = {
    env: {},
    out: '',
    stdout(text: string) {
      io.out += text;
    },
    stderr() {},
    loadConfig: () => loadConfig({}),
  };
  return io;
}

const NAMES = { 'op-wang': 'Wang Fang', 'op-liu': 'Liu Yang' } as const;

t.test(
  'personal values are sealed, opened only for permitted roles and recipients, and erasable with every proof intact',
  async (t) => {
    const service = await startTestService({ LEDGER_ORIGIN: 'district.example/ledger' });
    const directory = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-privacy-'));
    t.teardown(async () => {
      await service.close();
      await rm(directory, { recursive: true, force: true });
    });
    const { app, writer, database } = service.service;
    const admin = { authorization: `Bearer ${await service.token('admin', 'dev')}` };
    const auditor = { authorization: `Bearer ${await service.token('audrey', 'audit-office')}` };
    // An auditor without personal_data:read.
    // District 7's administrator erases its people; the others' administrators may not.
    const districtAdmin = { authorization: `Bearer ${await service.token('adm-7', 'district-7')}` };
    const neighbourAdmin = { authorization: `Bearer ${await service.token('adm-8', 'district-8')}` };
    await service.setUp({
      units: [
        { id: 'audit-office', name: 'Audit office', kind: 'oversight' },
        { id: 'district-7', name: 'District 7', kind: 'using_unit' },
        { id: 'district-8', name: 'District 8', kind: 'using_unit' },
      ],
      role_assignments: [
        { subject: 'audrey', role: 'auditor', unit_id: 'audit-office' },
        { subject: 'adm-7', role: 'unit_admin', unit_id: 'district-7' },
        { subject: 'adm-8', role: 'unit_admin', unit_id: 'district-8' },
      ],
    });

    const receipts = [];
    for (const [subject, name] of Object.entries(NAMES)) {
      receipts.push(
        await writer.record({
          kind: 'playback.started',
          actor: { unit: 'district-7', subject, name },
          payload: { camera_id: 'cam-9', session_id: `s-${subject}` },
        }),
      );
    }
    const wangSeq = receipts[0]?.seq as number;
    const plain = (await app.inject({ method: 'GET', url: `/v1/ledger/entries/${wangSeq}`, headers: auditor })).json();
    t.match(plain.entry.actor, { subject: 'op-wang', name: { $sealed: /^[0-9a-f]{64}$/ } }, 'the entry holds a commitment');
    t.notOk(JSON.stringify(plain).includes('Wang Fang'), 'an auditor sees no personal value');
    const refused = await app.inject({ method: 'GET', url: `/v1/ledger/entries/${wangSeq}?open=true`, headers: auditor });
    t.equal(refused.statusCode, 403, 'opening needs personal_data:read');
    const opened = (await app.inject({ method: 'GET', url: `/v1/ledger/entries/${wangSeq}?open=true`, headers: admin })).json();
    t.same(opened.opened, [{ pointer: '/actor/name', value: 'Wang Fang', subject_id: 'op-wang' }]);
    const stored = await sql<{ ciphertext: Buffer }>`SELECT ciphertext FROM sealed_values`.execute(database.db);
    t.notOk(
      stored.rows.some((row) => row.ciphertext.includes(Buffer.from('Wang'))),
      'values are stored encrypted',
    );

    const key = parseVerifierKey((await app.inject({ method: 'GET', url: '/v1/ledger/key' })).body);
    const forbiddenExport = await app.inject({ method: 'GET', url: '/v1/ledger/export?recipient=Court', headers: auditor });
    t.equal(forbiddenExport.statusCode, 403);
    const forCourt = await app.inject({ method: 'GET', url: '/v1/ledger/export?recipient=District%20Court%207', headers: admin });
    t.equal(forCourt.statusCode, 200);
    t.match(forCourt.body, /"type":"opening","seq":\d+,"pointer":"\/actor\/name","value":"Wang Fang"/);
    const courtFile = path.join(directory, 'court.ndjson');
    await writeFile(courtFile, forCourt.body);
    const io = cliIo();
    t.equal(await verifyCommand.run([courtFile, '--key', key.text], io), 0, io.out);
    const disclosed = (
      await app.inject({ method: 'GET', url: '/v1/ledger/entries?kind=personal_data.disclosed', headers: admin })
    ).json();
    t.match(disclosed.items[0].entry.payload, { recipient: 'District Court 7' }, 'the disclosure itself is recorded');
    const forged = path.join(directory, 'forged.ndjson');
    await writeFile(forged, forCourt.body.replace('"value":"Wang Fang"', '"value":"Someone Else"'));
    const forgedIo = cliIo();
    t.equal(await verifyCommand.run([forged, '--key', key.text], forgedIo), 1, 'an opened value that does not match is caught');
    t.match(forgedIo.out, /opening/);

    const badErasures: [string, object, number][] = [
      ['/v1/subjects/op-wang/erasure', {}, 400],
      ['/v1/subjects/op-wang/erasure', { basis: 'because' }, 400],
      ['/v1/subjects/nobody/erasure', { basis: 'purpose_fulfilled' }, 404],
    ];
    for (const [url, payload, status] of badErasures) {
      t.equal(
        (await app.inject({ method: 'POST', url, headers: districtAdmin, payload })).statusCode,
        status,
        `${url} ${JSON.stringify(payload)}`,
      );
    }
    t.equal(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/subjects/op-wang/erasure',
          headers: auditor,
          payload: { basis: 'purpose_fulfilled' },
        })
      ).statusCode,
      403,
    );
    for (const [name, headers] of [
      ['another unit', neighbourAdmin],
      ['the oversight unit', admin],
    ] as const) {
      const foreign = await app.inject({
        method: 'POST',
        url: '/v1/subjects/op-wang/erasure',
        headers,
        payload: { basis: 'purpose_fulfilled' },
      });
      t.equal(foreign.statusCode, 403, `the administrator of ${name} may not erase district 7's subject`);
    }
    const erasure = await app.inject({
      method: 'POST',
      url: '/v1/subjects/op-wang/erasure',
      headers: districtAdmin,
      payload: { basis: 'retention_expired', reference: 'PIPL-47/2026-11' },
    });
    t.equal(erasure.statusCode, 200);
    t.match(erasure.json(), { subject_id: 'op-wang', values_erased: 1, receipt: { seq: Number } });
    t.equal(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/subjects/op-wang/erasure',
          headers: admin,
          payload: { basis: 'retention_expired' },
        })
      ).statusCode,
      404,
      'erased once',
    );

    const after = (await app.inject({ method: 'GET', url: `/v1/ledger/entries/${wangSeq}?open=true`, headers: admin })).json();
    t.same(after.opened, [], 'the erased value can no longer be opened');
    t.equal(after.leaf_hash, plain.leaf_hash, 'the entry is unchanged');
    const liu = (
      await app.inject({ method: 'GET', url: `/v1/ledger/entries/${receipts[1]?.seq}?open=true`, headers: admin })
    ).json();
    t.equal(liu.opened[0].value, 'Liu Yang', "another subject's values are untouched");
    const later = await writer.record({
      kind: 'playback.started',
      actor: { unit: 'district-7', subject: 'op-wang', name: 'Wang Fang' },
      payload: { camera_id: 'c', session_id: 'x' },
    });
    const laterEntry = (
      await app.inject({ method: 'GET', url: `/v1/ledger/entries/${later.seq}?open=true`, headers: admin })
    ).json();
    t.match(laterEntry.entry.actor.name, { $sealed: /^[0-9a-f]{64}$/ }, 'a later entry about an erased subject is recorded');
    t.same(laterEntry.opened, [], 'but no new personal data is kept for them');
    const kept = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sealed_values WHERE subject_id = 'op-wang'`.execute(
      database.db,
    );
    t.equal(kept.rows[0]?.n, 0);

    const verification = await app.inject({ method: 'POST', url: '/v1/ledger/verifications', headers: admin, payload: {} });
    t.match(JSON.parse(verification.body.trim().split('\n').at(-1) as string), { result: { ok: true, first_failure: null } });
    const checkpoint = openCheckpoint(
      (await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' })).body,
      'district.example/ledger',
      [key],
    );
    const proof = (
      await app.inject({
        method: 'GET',
        url: `/v1/ledger/proofs/inclusion?seq=${wangSeq}&tree_size=${checkpoint.size}`,
        headers: admin,
      })
    ).json();
    t.ok(
      verifyInclusion(
        wangSeq,
        checkpoint.size,
        leafHash(Buffer.from(plain.canonical, 'base64')),
        proof.hashes.map((h: string) => Buffer.from(h, 'hex')),
        checkpoint.root,
      ),
      "the erased subject's entry is still proven included",
    );
    const afterFile = path.join(directory, 'after.ndjson');
    await writeFile(afterFile, (await app.inject({ method: 'GET', url: '/v1/ledger/export', headers: admin })).body);
    t.equal(await verifyCommand.run([afterFile, '--key', key.text], cliIo()), 0, 'an export after erasure verifies offline');
    t.equal(await verifyCommand.run([courtFile, '--key', key.text], cliIo()), 0, 'the earlier court export still verifies');

    const logs = service.logs.join('');
    for (const name of Object.values(NAMES)) t.notOk(logs.includes(name), `the log never carries ${name}`);
  },
);
