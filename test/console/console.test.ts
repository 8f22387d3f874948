/**
 * The console in a real browser: Debian's Chromium driven by playwright-core (CI installs it;
 * helpers/e2e.ts says when this runs).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { e2eSkip } from '../helpers/e2e.js';
import { editEntryBytes } from '../helpers/insider.js';
import { stateOrganRequest } from '../helpers/requests.js';
import { startTestService } from '../helpers/service.js';

const HOUR = 3_600_000;
const window = { from: new Date(Date.now() - 4 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

t.test(
  'an auditor signs in, verifies the ledger, sees an entry verified and a tampered one fail; an approver approves',
  { skip: e2eSkip(existsSync(CHROMIUM), 'Chromium') },
  async (t) => {
    const service = await startTestService();
    t.teardown(() => service.close());
    await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
    const { app } = service.service;
    const token = (subject: string, unit: string) => service.token(subject, unit);
    const post = async (url: string, subject: string, unit: string, payload: object) =>
      app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${await token(subject, unit)}` }, payload });
    const decide = (subject: string, unit: string, camera: string) =>
      post('/v1/decisions', subject, unit, {
        camera_id: camera,
        action: 'playback',
        window,
        purpose: 'public_safety',
        reason: 'incident 2026-118',
      });
    await decide('op-wang', 'riverside-psb', 'cam-square-north');
    await decide('op-zhao', 'riverside-psb', 'cam-square-north');
    const tampered = (await decide('op-wang', 'riverside-psb', 'cam-river-road')).json().receipt.seq as number;
    const submitted = await post(
      '/v1/access-requests',
      'pr-zhou',
      'riverside-procuratorate',
      stateOrganRequest('RP-C-7', { camera_ids: ['cam-square-north'], window, actions: ['playback'] }),
    );
    t.equal(submitted.statusCode, 201);
    // A gateway's log with one segment no decision allowed, reconciled by the oversight organ.
    const reconciled = await app.inject({
      method: 'POST',
      url: '/v1/reconciliations?sessions=false',
      headers: { authorization: `Bearer ${await token('admin', 'dev')}`, 'content-type': 'text/plain' },
      payload: `${JSON.stringify({ msec: Date.now() / 1000, path: '/live/cam-river-road/segment-7.ts', status: 200, bytes: 9, decision: '' })}\n`,
    });
    t.equal(reconciled.statusCode, 201);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const browser = await launchChromium();
    t.teardown(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const scripts: Promise<number>[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.body().then((body) => body.length));
    });

    await page.goto(`${origin}/console`);
    t.equal(await page.title(), "footage-warden · auditor's console");
    // Keyboard only: the token field has a label, and the sign-in button is reached with Tab.
    await page.getByLabel('Bearer token').fill(await token('admin', 'dev'));
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#who').filter({ hasText: 'admin' }).waitFor();
    const scriptBytes = (await Promise.all(scripts)).reduce((sum, length) => sum + length, 0);
    t.equal(scripts.length, 12, 'every module of the console was loaded (not the SM2 library: a c2sp log needs none)');
    t.ok(scriptBytes < 200 * 1024, `the console loads ${scriptBytes} bytes of JavaScript (under 200 KB)`);

    const checkpoint = page.locator('#checkpoint-verdict.verified');
    await checkpoint.waitFor();
    t.match(await checkpoint.textContent(), /Signature verified in this browser/);
    await page.getByRole('button', { name: 'Run a verification' }).click();
    const verification = page.locator('#verification-result.verified');
    await verification.waitFor();
    t.match(await verification.textContent(), /^Verified: \d+ entries/);

    // The list the tab opens with (every kind) is held back until the search's rows are shown: a
    // late answer to an earlier search must not replace the later one's rows.
    let releaseUnfiltered: () => void = () => {};
    const unfilteredHeld = new Promise<void>((resolve) => {
      releaseUnfiltered = resolve;
    });
    await page.route('**/v1/ledger/entries?*', async (route) => {
      if (!route.request().url().includes('kind=')) await unfilteredHeld;
      await route.continue();
    });
    const unfilteredAnswered = page.waitForResponse(
      (response) => response.url().includes('/v1/ledger/entries?') && !response.url().includes('kind='),
    );
    await page.getByRole('button', { name: 'Entries' }).click();
    await page.getByLabel('Kind').fill('decision.made');
    await page.getByRole('button', { name: 'Search' }).click();
    // Polled from the test, not with page.waitForFunction: its string predicates are re-evaluated
    // in the page, which the console's Content-Security-Policy (no 'unsafe-eval') refuses.
    await waitUntil(async () => {
      const kinds = await page.locator('#entry-rows tr td:nth-child(3)').allTextContents();
      return kinds.length > 0 && kinds.every((kind) => kind === 'decision.made');
    });
    t.equal(await page.locator('#entry-rows tr').count(), 3, 'the three decisions');
    releaseUnfiltered();
    await (await unfilteredAnswered).finished();
    await page.evaluate('new Promise((resolve) => setTimeout(resolve, 0))');
    t.equal(await page.locator('#entry-rows tr').count(), 3, 'the earlier list, answering later, did not replace them');
    await page.unroute('**/v1/ledger/entries?*');
    await page.getByRole('button', { name: 'Open entry', exact: false }).first().click();
    const verified = page.locator('#entry-verdict.verified');
    await verified.waitFor();
    t.match(await verified.textContent(), /^Verified: this entry's bytes are leaf \d+ of the tree of size \d+/);

    await editEntryBytes(service.database.handle.db, tampered, 'cam-river-road', 'cam-river-roam');
    await page.getByRole('button', { name: `Open entry ${tampered}` }).click();
    const failed = page.locator('#entry-verdict.failed');
    await failed.waitFor();
    t.match(
      await failed.textContent(),
      /^Verification failed: the proof leads to another root/,
      'the tampered entry fails in the browser',
    );
    t.match(await page.locator('#entry-bytes').textContent(), /cam-river-roam/);

    await page.getByRole('button', { name: 'Compliance report' }).click();
    await page.getByRole('heading', { name: /^Filing \(Article 17\): 1$/ }).waitFor();
    t.equal(await page.locator('svg[aria-label="Denials per day"] rect').count(), 1, 'denials over time are drawn');
    t.equal(await page.locator('svg[aria-label="Accesses per camera"] rect').count(), 4, 'allowed and denied for two cameras');
    t.match(await page.locator('#report-body').textContent(), /Personnel in monitoring positions \(Article 23\(1\)\): 1/);
    const unasked = page.getByRole('region', { name: 'Footage served without a decision (reconciliation) (Article 23(3))' });
    t.match(
      await unasked.textContent(),
      /: 1.*no-decision.*cam-river-road.*\/live\/cam-river-road\/segment-7\.ts/s,
      'reconciliation findings appear in the console',
    );

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Bearer token').fill(await token('sup-li', 'riverside-psb'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Access requests' }).click();
    const request = page.getByRole('article', { name: `Request ${submitted.json().id}` });
    await request.getByLabel('Reason for your decision').fill('documents in order');
    await request.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#status').filter({ hasText: 'approved' }).waitFor();
    await page.getByText('No requests await a decision.').waitFor();
    const state = await app.inject({
      method: 'GET',
      url: `/v1/access-requests/${submitted.json().id}`,
      headers: { authorization: `Bearer ${await token('sup-li', 'riverside-psb')}` },
    });
    t.match(state.json(), { status: 'approved', grant: { status: 'active' } }, 'the approval reached the service');
    const arriving = await app.inject({
      method: 'POST',
      url: '/v1/access-requests',
      headers: { authorization: `Bearer ${await token('pr-zhou', 'riverside-procuratorate')}` },
      payload: stateOrganRequest('LIVE-1', {
        camera_ids: ['cam-square-north'],
        window: { from: new Date(Date.now() - 7_200_000).toISOString(), to: new Date(Date.now() - 3_600_000).toISOString() },
        actions: ['playback'],
      }),
    });
    await page.getByRole('article', { name: `Request ${arriving.json().id}` }).waitFor({ timeout: 15_000 });
    t.pass('a request submitted while the queue is open appears in it without a reload');

    // A field is labelled by a <label> or aria-label (`labels` is typed loosely: this file has no DOM types).
    const unlabelled = await page.$$eval('input, textarea, select', (elements) =>
      elements
        .filter(
          (element) =>
            (element as unknown as { labels: { length: number } }).labels.length === 0 && !element.getAttribute('aria-label'),
        )
        .map((element) => element.id),
    );
    t.same(unlabelled, [], 'every field has a label');
    t.same(problems, [], 'no script errors');
  },
);

t.test(
  "the report's headings cite the law in force: the draft's articles, or the decree's",
  { skip: e2eSkip(existsSync(CHROMIUM), 'Chromium') },
  async (t) => {
    const browser = await launchChromium();
    t.teardown(() => browser.close());
    for (const [file, filing, law] of [
      ['policies/regulation.yaml', 'Filing (Article 17): 1', /2024 draft/],
      ['policies/regulation-decree-799.yaml', 'Filing (Decree 799, Article 14): 1', /Decree No\. 799/],
    ] as const) {
      const service = await startTestService({ REGULATION_PROFILE: file });
      t.teardown(() => service.close());
      await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
      const { app } = service.service;
      await app.listen({ host: '127.0.0.1', port: 0 });
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/console`);
      await page.getByLabel('Bearer token').fill(await service.token('admin', 'dev'));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Compliance report' }).click();
      await page.getByRole('heading', { name: filing }).waitFor();
      t.match(await page.locator('#report-law').textContent(), law, `${file}: the report names its law`);
      t.pass(`${file}: ${filing}`);
      await page.close();
    }
  },
);
