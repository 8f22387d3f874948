/**
 * The console on a `shangmi` log, in Chromium: Web Crypto has neither SM2 nor SM3, so the console
 * loads sm-crypto-v2's browser build, verifies the SM2-signed checkpoint and an entry's SM3
 * inclusion proof, and still fails an entry whose bytes were altered.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { e2eSkip } from '../helpers/e2e.js';
import { editEntryBytes } from '../helpers/insider.js';
import { exampleDistrict, startTestService } from '../helpers/service.js';

t.test(
  'the console verifies an SM2 checkpoint and SM3 inclusion proofs in the browser',
  { skip: e2eSkip(existsSync(CHROMIUM), 'Chromium') },
  async (t) => {
    const service = await startTestService({ CRYPTO_SUITE: 'shangmi' });
    t.teardown(() => service.close());
    await service.setUp(await exampleDistrict());
    const { app } = service.service;
    const wang = { authorization: `Bearer ${await service.token('op-wang', 'riverside-psb')}` };
    let last = 0;
    for (const camera of ['cam-square-north', 'cam-river-road']) {
      const answer = await app.inject({
        method: 'POST',
        url: '/v1/decisions',
        headers: wang,
        payload: { camera_id: camera, action: 'live', purpose: 'public_safety', reason: 'watch' },
      });
      last = answer.json().receipt.seq as number;
    }
    await app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const browser = await launchChromium();
    t.teardown(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${origin}/console`);
    await page.getByLabel('Bearer token').fill(await service.token('admin', 'dev'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const checkpoint = page.locator('#checkpoint-verdict.verified');
    await checkpoint.waitFor();
    t.match(await checkpoint.textContent(), /Signature verified in this browser/, 'the SM2 signature verifies in Chromium');

    await page.getByRole('button', { name: 'Entries' }).click();
    await page.getByLabel('Kind').fill('decision.made');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: `Open entry ${last}` }).click();
    const verified = page.locator('#entry-verdict.verified');
    await verified.waitFor();
    t.match(
      await verified.textContent(),
      /^Verified: this entry's bytes are leaf \d+ of the tree of size \d+/,
      'its SM3 proof too',
    );

    await editEntryBytes(service.database.handle.db, last, 'cam-river-road', 'cam-river-roam');
    await page.getByRole('button', { name: `Open entry ${last}` }).click();
    const failed = page.locator('#entry-verdict.failed');
    await failed.waitFor();
    t.match(await failed.textContent(), /^Verification failed/, 'an altered entry fails');
    t.same(problems, [], 'no script error on the page');
  },
);
