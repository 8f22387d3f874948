/**
 * A real nginx (Debian's package) serving generated HLS footage behind auth_request to the service,
 * configured by the documented server block (CI installs nginx; helpers/e2e.ts says when this runs).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { nginxBinary, recentWindow, startNginx, writeHlsFixture } from '../../bench/nginx.js';
import { e2eSkip, listeningExampleService } from '../helpers/e2e.js';

const HOUR = 3_600_000;

t.test(
  'nginx serves footage only to whom the gate allows, with one ledger entry per decision',
  { skip: e2eSkip(nginxBinary() !== undefined, 'nginx') },
  async (t) => {
    const { service, directory, root, servicePort } = await listeningExampleService(t, 'nginx');
    const { app } = service.service;
    const window = recentWindow(2 * HOUR, HOUR);
    const fixture = await writeHlsFixture(root, 'cam-square-north', window, 8);
    const nginx = await startNginx({ directory, servicePort, root });
    t.teardown(() => nginx.stop());
    const get = (uri: string, headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${nginx.port}${uri}`, { headers });

    const wang = {
      authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}`,
      'x-access-reason': 'incident 2026-118',
    };
    const before = await service.entryCount();
    const playlist = await get(fixture.playlist, wang);
    t.equal(playlist.status, 200, 'the permitted person gets the playlist');
    const listed = (await playlist.text()).split('\n').filter((line) => line.endsWith('.ts'));
    t.equal(listed.length, 8);
    const decisionId = playlist.headers.get('x-decision-id');
    t.match(decisionId, /^[0-9a-f-]{36}$/, 'nginx forwards the decision id');
    for (const [index, name] of listed.entries()) {
      const segment = await get(`${path.posix.dirname(fixture.playlist)}/${name}`, wang);
      t.equal(segment.status, 200, name);
      const bytes = Buffer.from(await segment.arrayBuffer());
      t.ok(bytes.length === 1880 && bytes[0] === 0x47 && bytes[1] === index, `${name} is the segment's content`);
      t.equal(segment.headers.get('x-decision-id'), decisionId, `${name} is served under the same decision`);
    }
    t.equal(await service.entryCount(), before + 1, 'exactly one ledger entry for the playlist and its eight segments');
    const entry = await service.lastEntry();
    t.same(entry, { kind: 'decision.made', ref: decisionId });

    const others: [string, Record<string, string>, number][] = [
      [
        'lapsed training',
        { authorization: `Bearer ${await service.token('op-zhao', 'riverside-psb')}`, 'x-access-reason': 'x' },
        403,
      ],
      [
        'another unit',
        { authorization: `Bearer ${await service.token('metro-sun', 'riverside-metro')}`, 'x-access-reason': 'x' },
        403,
      ],
      ['a maintainer', { authorization: `Bearer ${await service.token('mt-chen', 'brightlens')}`, 'x-access-reason': 'x' }, 403],
      ['no token', {}, 401],
      ['a forged token', { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA' }, 401],
    ];
    for (const [name, headers, status] of others) {
      t.equal((await get(fixture.playlist, headers)).status, status, `${name}: playlist`);
      t.equal((await get(fixture.segments[0] as string, headers)).status, status, `${name}: segment`);
    }
    t.equal(await service.entryCount(), before + 1 + 6, 'each denied decision is recorded; unauthenticated requests are not');

    const decided = await app.inject({
      method: 'POST',
      url: '/v1/decisions',
      headers: { authorization: wang.authorization },
      payload: {
        camera_id: 'cam-square-north',
        action: 'playback',
        window: { from: new Date(window.from * 1000).toISOString(), to: new Date(window.to * 1000).toISOString() },
        purpose: 'public_safety',
        reason: 'incident 2026-118',
        playback_token: true,
      },
    });
    const token = decided.json().playback_token as string;
    const afterToken = await service.entryCount();
    t.equal((await get(`${fixture.playlist}?token=${token}`)).status, 200, 'a playback token opens the playlist');
    for (const segment of fixture.segments) t.equal((await get(`${segment}?token=${token}`)).status, 200);
    t.equal(await service.entryCount(), afterToken, 'and writes nothing more');
    const southWindow = `/hls/cam-square-south/${window.from}/${window.to}/index.m3u8?token=${token}`;
    t.equal((await get(southWindow)).status, 403, 'the token names one camera');
  },
);

t.test(
  'an export is downloaded through nginx only after its transfer is registered: decide, register, download',
  { skip: e2eSkip(nginxBinary() !== undefined, 'nginx') },
  async (t) => {
    const { service, directory, root, servicePort } = await listeningExampleService(t, 'nginx');
    const { app } = service.service;
    const window = recentWindow(3 * HOUR, HOUR);
    const uri = `/export/cam-square-north/${window.from}/${window.to}/evidence.mp4`;
    const file = Buffer.alloc(64 * 1024, 0xab);
    await mkdir(path.join(root, path.posix.dirname(uri)), { recursive: true });
    await writeFile(path.join(root, uri), file);
    const nginx = await startNginx({ directory, servicePort, root });
    t.teardown(() => nginx.stop());
    const li = {
      authorization: `Bearer ${await service.token('sup-li', 'riverside-psb')}`,
      'x-access-reason': 'evidence for case 2026-0042',
    };
    const before = await fetch(`http://127.0.0.1:${nginx.port}${uri}`, { headers: li });
    t.equal(before.status, 403, 'before its transfer is registered, the export is refused');
    t.equal(before.headers.get('x-deny-reasons'), 'TRANSFER_NOT_REGISTERED');
    const body = Buffer.from(await before.arrayBuffer());
    t.equal(body.indexOf(file.subarray(0, 64)), -1, 'and not one byte of the file is served');
    const decisionId = before.headers.get('x-decision-id') as string;
    t.match(decisionId, /^[0-9a-f-]{36}$/, 'the refusal names the decision to register');

    const registered = await app.inject({
      method: 'POST',
      url: '/v1/transfers',
      headers: { authorization: li.authorization },
      payload: {
        decision_id: decisionId,
        content: {
          camera_id: 'cam-square-north',
          window: { from: new Date(window.from * 1000).toISOString(), to: new Date(window.to * 1000).toISOString() },
          file_sha256: createHash('sha256').update(file).digest('hex'),
          size_bytes: file.length,
          description: 'MP4 export',
        },
        recipient: { unit: 'Riverside District Court', person_name: 'Judge Xu Ping' },
        reason: 'evidence for case 2026-0042',
      },
    });
    t.equal(registered.statusCode, 201, 'the supervisor registers the transfer');
    const after = await fetch(`http://127.0.0.1:${nginx.port}${uri}`, { headers: li });
    t.equal(after.status, 200, 'then the same download passes');
    t.same(Buffer.from(await after.arrayBuffer()), file, 'and serves the file');
    t.equal(after.headers.get('x-decision-id'), decisionId, 'under the registered decision');
    const playlist = `/hls/cam-square-north/${window.from}/${window.to}/index.m3u8`;
    await writeHlsFixture(root, 'cam-square-north', window, 2);
    t.equal((await fetch(`http://127.0.0.1:${nginx.port}${playlist}`, { headers: li })).status, 200, 'playback is unchanged');
  },
);
