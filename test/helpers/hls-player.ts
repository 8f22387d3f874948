/**
 * Real media for the player tests: ffmpeg (Debian's package) encodes a test pattern to HLS, live
 * (a sliding playlist that grows while the test runs) or recorded (a finished playlist), and a
 * page plays a URL with hls.js (from npm) in headless Chromium, reporting its progress and errors.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { packagePath } from '../../src/package-root.js';

export function ffmpegInstalled(): boolean {
  return spawnSync('ffmpeg', ['-version']).status === 0;
}

function encoderArguments(segmentSeconds: number): string[] {
  return [
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '15',
    '-keyint_min',
    '15',
    '-sc_threshold',
    '0',
    '-f',
    'hls',
    '-hls_time',
    String(segmentSeconds),
  ];
}

/** A live HLS stream of a test pattern at `directory`/index.m3u8, until the returned process is killed. */
export async function startLiveStream(directory: string): Promise<{ process: ChildProcess; stop(): Promise<void> }> {
  await mkdir(directory, { recursive: true, mode: 0o755 });
  const child = spawn(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=15',
      ...encoderArguments(1),
      '-hls_list_size',
      '6',
      '-hls_flags',
      'delete_segments+temp_file',
      '-hls_segment_filename',
      path.join(directory, 'segment-%05d.ts'),
      path.join(directory, 'index.m3u8'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const playlist = await readFile(path.join(directory, 'index.m3u8'), 'utf8').catch(() => '');
    if ((playlist.match(/\.ts$/gm) ?? []).length >= 3) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('ffmpeg did not start a live stream');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A recorded HLS playlist (`seconds` long, one-second segments) at `directory`/index.m3u8. */
export async function writeRecordedStream(directory: string, seconds: number): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o755 });
  const done = spawnSync(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `testsrc=duration=${seconds}:size=320x240:rate=15`,
      ...encoderArguments(1),
      '-hls_playlist_type',
      'vod',
      '-hls_segment_filename',
      path.join(directory, 'segment-%05d.ts'),
      path.join(directory, 'index.m3u8'),
    ],
    { encoding: 'utf8' },
  );
  if (done.status !== 0) throw new Error(`ffmpeg failed: ${done.stderr}`);
}

const PLAYER_PAGE = `<!doctype html>
<meta charset="utf-8"><title>player</title>
<video id="video" muted playsinline></video>
<script src="/hls.min.js"></script>
<script>
  window.playerErrors = [];
  window.play = (source) => {
    const video = document.getElementById('video');
    const hls = new Hls({ manifestLoadingMaxRetry: 1, levelLoadingMaxRetry: 1, fragLoadingMaxRetry: 1 });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      window.playerErrors.push({ details: data.details, fatal: data.fatal, status: data.response ? data.response.code : 0 });
    });
    hls.loadSource(source);
    hls.attachMedia(video);
    video.play();
  };
</script>
`;

/** The page and hls.js, for a gateway to serve from `root` (`location = /player.html`, `= /hls.min.js`). */
export async function writePlayerPage(root: string): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o755 });
  await writeFile(path.join(root, 'player.html'), PLAYER_PAGE);
  await copyFile(packagePath('node_modules', 'hls.js', 'dist', 'hls.min.js'), path.join(root, 'hls.min.js'));
  // The documented server's `types` know footage only.
  return ['location = /player.html { default_type text/html; }', 'location = /hls.min.js { default_type text/javascript; }'].join(
    '\n',
  );
}

export interface PlayerState {
  readonly currentTime: number;
  readonly errors: ReadonlyArray<{ details: string; fatal: boolean; status: number }>;
}

// The page's code is given as text: this project's TypeScript has no DOM types.
export function playerState(page: Page): Promise<PlayerState> {
  return page.evaluate('({ currentTime: document.getElementById("video").currentTime, errors: window.playerErrors })');
}

/** Starts hls.js on `source` in a page at /player.html. */
export async function play(page: Page, source: string): Promise<void> {
  await page.evaluate(`window.play(${JSON.stringify(source)})`);
}

/** The status a fetch of `uri` from the page gets (with the page's cookies, as a player's requests). */
export function fetchStatus(page: Page, uri: string): Promise<number> {
  return page.evaluate(`fetch(${JSON.stringify(uri)}).then((response) => response.status)`);
}

/** Waits until the video has played past `seconds`, failing after `timeoutMs`. */
export async function waitForPlayback(page: Page, seconds: number, timeoutMs = 30_000): Promise<PlayerState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await playerState(page);
    if (state.currentTime > seconds) return state;
    if (Date.now() > deadline) throw new Error(`playback did not pass ${seconds} s: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
