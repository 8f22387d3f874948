/**
 * A real player through the gate: hls.js in headless Chromium plays HLS that ffmpeg encodes from a
 * test pattern, served by a real nginx configured by the documented server block, with the
 * session credential the player carries by itself (a signed URL prefix, or a cookie).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { nginxBinary, recentWindow, startNginx } from '../../bench/nginx.js';
import { reconcileCommand } from '../../src/cli/reconcile.js';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { capturedIo } from '../helpers/cli-io.js';
import { e2eSkip, listeningExampleService } from '../helpers/e2e.js';
import {
  fetchStatus,
  ffmpegInstalled,
  play,
  playerState,
  startLiveStream,
  waitForPlayback,
  writePlayerPage,
  writeRecordedStream,
} from '../helpers/hls-player.js';

const HOUR = 3_600_000;
const TOKEN_SECONDS = 20;
const installed = nginxBinary() !== undefined && ffmpegInstalled() && existsSync(CHROMIUM);

t.test(
  'hls.js plays live and recorded footage through nginx and the gate on a session credential',
  { skip: e2eSkip(installed, 'nginx, ffmpeg or Chromium'), timeout: 180_000 },
  async (t) => {
    const { service, directory, root, servicePort } = await listeningExampleService(
      t,
      'player',
      { PLAYBACK_TOKEN_TTL_SECONDS: String(TOKEN_SECONDS) },
      [{ subject: 'gw-river', role: 'gateway', unit_id: 'riverside-psb' }],
    );
    const { app } = service.service;
    const extra = await writePlayerPage(root);
    const live = await startLiveStream(path.join(root, 'live', 'cam-square-north'));
    t.teardown(() => live.stop());
    await startLiveStream(path.join(root, 'live', 'cam-square-south')).then((other) => t.teardown(() => other.stop()));
    const window = recentWindow(2 * HOUR, 600);
    const recorded = `/hls/cam-square-north/${window.from}/${window.to}`;
    await writeRecordedStream(path.join(root, recorded), 8);
    const unguarded = `/hls/cam-river-road/${window.from}/${window.to}`;
    await writeRecordedStream(path.join(root, unguarded), 2);
    // A location someone added without auth_request: it serves, and the gate never hears of it.
    const misconfigured = 'location ^~ /hls/cam-river-road/ { }';
    const nginx = await startNginx({ directory, servicePort, root, extra: `${extra}\n${misconfigured}` });
    t.teardown(() => nginx.stop());
    const origin = `http://localhost:${nginx.port}`;

    const wang = { authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}` };
    const decide = async (payload: Record<string, unknown>) => {
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: wang,
        payload: { purpose: 'public_safety', reason: 'incident 2026-118', playback_token: true, ...payload },
      });
      t.equal(answer.statusCode, 200);
      return answer.json() as { decision: string; decision_id: string; playback_token: string };
    };

    const browser = await launchChromium();
    t.teardown(() => browser.close());

    await t.test('live view on a signed prefix: one decision, no other camera, stops when it expires', async (t) => {
      const before = await service.entryCount();
      const decided = await decide({ camera_id: 'cam-square-north', action: 'live' });
      const issuedAt = Date.now();
      t.equal(decided.decision, 'allow');
      const page = await browser.newPage();
      await page.goto(`${origin}/player.html`);
      await play(page, `/s/${decided.playback_token}/live/cam-square-north/index.m3u8`);
      const playing = await waitForPlayback(page, 3);
      t.same(
        playing.errors.filter((error) => error.fatal),
        [],
        'the stream plays without a fatal error',
      );
      t.equal(await service.entryCount(), before + 1, 'the whole session wrote one entry: its decision');

      const elsewhere = await fetchStatus(page, `/s/${decided.playback_token}/live/cam-square-south/index.m3u8`);
      t.equal(elsewhere, 403, 'the same prefix does not open another camera');
      const recordedWithIt = await fetchStatus(page, `/s/${decided.playback_token}${recorded}/index.m3u8`);
      t.equal(recordedWithIt, 403, 'nor recorded footage');

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt + TOKEN_SECONDS * 1000 - Date.now())));
      // hls.js gives up on the refused playlist; the buffer it holds plays out.
      const deadline = Date.now() + 30_000;
      let stopped = await playerState(page);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const now = await playerState(page);
        if (now.currentTime - stopped.currentTime < 0.1) break;
        stopped = now;
        if (Date.now() > deadline) throw new Error(`playback did not stop: ${JSON.stringify(now)}`);
      }
      const final = await playerState(page);
      t.ok(
        final.errors.some((error) => error.fatal && error.status === 401),
        'the player was refused with 401 once its credential expired',
      );
      t.equal(await service.entryCount(), before + 1, 'the refusals after expiry wrote nothing');
      await page.close();
    });

    await t.test('recorded playback on a cookie: set once from the URI, carried by every segment', async (t) => {
      const before = await service.entryCount();
      const decided = await decide({
        camera_id: 'cam-square-north',
        action: 'playback',
        window: { from: new Date(window.from * 1000).toISOString(), to: new Date(window.to * 1000).toISOString() },
      });
      const context = await browser.newContext();
      const page = await context.newPage();
      const statuses: Array<{ url: string; status: number }> = [];
      page.on('response', (response) => statuses.push({ url: new URL(response.url()).pathname, status: response.status() }));
      await page.goto(`${origin}/player.html`);
      await play(page, `${recorded}/index.m3u8?token=${decided.playback_token}`);
      await waitForPlayback(page, 4);
      const [cookie] = await context.cookies();
      t.match(cookie, { name: 'fw_playback', path: `${recorded}/`, httpOnly: true, secure: true, sameSite: 'Strict' });
      const segments = statuses.filter((item) => item.url.endsWith('.ts'));
      t.ok(segments.length >= 4, `${segments.length} segments fetched`);
      t.ok(
        segments.every((item) => item.status === 200),
        'every segment, requested without the token, was served on the cookie',
      );
      t.equal(await service.entryCount(), before + 1, 'the whole session wrote one entry: its decision');
      t.equal(await page.evaluate('document.cookie'), '', "the page's scripts cannot read the credential");
      const otherCamera = await fetchStatus(page, `/hls/cam-square-south/${window.from}/${window.to}/index.m3u8`);
      t.equal(otherCamera, 401, 'the cookie is not even sent for another camera');
      const otherWindow = await fetchStatus(page, `/hls/cam-square-north/${window.from}/${window.to + 60}/index.m3u8`);
      t.equal(otherWindow, 401, 'nor for another window');
      await context.close();
    });

    await t.test("footage-warden reconcile finds, in the run's own nginx log, what no decision allowed", async (t) => {
      const page = await browser.newPage();
      await page.goto(`${origin}/player.html`);
      t.equal(await fetchStatus(page, `${unguarded}/index.m3u8`), 200, 'the misconfigured location serves without asking');
      await page.close();
      const log = await readFile(nginx.accessLog, 'utf8');
      const lines = log.trim().split('\n');
      t.notOk(log.includes('eyJ'), 'no playback token reaches the access log');
      // One line edited by hand: a segment of the cookie session, now naming another camera.
      const served = lines.map((line) => JSON.parse(line) as { path: string; status: number; decision: string });
      const original = served.findIndex(
        (line) => line.path.startsWith(recorded) && line.path.endsWith('.ts') && line.status === 200,
      );
      const edited = { ...served[original], path: `${unguarded}/segment-00000.ts` };
      const input = [...lines, JSON.stringify(edited)].join('\n');
      const logFile = path.join(directory, 'reconcile.log');
      await writeFile(logFile, `${input}\n`);
      const io = capturedIo({ FOOTAGE_WARDEN_TOKEN: await service.token('gw-river', 'riverside-psb') });
      t.equal(await reconcileCommand.run([logFile, '--url', `http://127.0.0.1:${servicePort}`, '--no-sessions'], io), 1, io.err);
      const result = JSON.parse(io.out) as { counts: Record<string, number>; findings: Array<Record<string, unknown>> };
      const footage = served.filter((line) => line.path.startsWith('/hls/') || line.path.startsWith('/live/'));
      t.ok(footage.length > 10, `${footage.length} footage requests in the log`);
      t.match(result.counts, { unreadable: 0, served_without_decision: 1, served_outside_decision: 1 });
      t.equal(
        result.counts.reconciled,
        (result.counts.served as number) - 2,
        "every other request served was the player's, under its decision",
      );
      t.match(result.findings, [
        { problem: 'no-decision', path: `${unguarded}/index.m3u8`, camera_id: 'cam-river-road' },
        { problem: 'other-camera', path: `${unguarded}/segment-00000.ts`, line: lines.length + 1 },
      ]);
    });
  },
);
