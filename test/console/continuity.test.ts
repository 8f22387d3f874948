/**
 * The console remembers, per origin, the latest checkpoint it verified (browser storage); on the
 * next visit it proves the new one consistent with it, warns loudly when the log contradicts it,
 * and verifies witness cosignatures in the browser.
 */

import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { loadOrCreateDevelopmentSigningKey } from '../../src/keys/key-files.js';
import { cosignerKeyFor } from '../../src/ledger/cosignature.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { buildWitnessServer } from '../../src/witness/witness-server.js';
import { WitnessState } from '../../src/witness/witness-state.js';
import { parseRegistryDocument } from '../../src/workflows/registry-import.js';
import { CHROMIUM, launchChromium } from '../helpers/chromium.js';
import { e2eSkip } from '../helpers/e2e.js';
import { rewriteFrom } from '../helpers/insider.js';
import { appendEvents } from '../helpers/ledger.js';
import { startTestService } from '../helpers/service.js';

const ORIGIN = 'footage-warden.test/console';

t.test(
  'the console proves each visit consistent with the last, warns when the log was rewritten, and checks cosignatures',
  { skip: e2eSkip(existsSync(CHROMIUM), 'Chromium') },
  async (t) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-console-'));
    const logKey = verifierKeyFor(ORIGIN, await loadOrCreateDevelopmentSigningKey(dataDir));
    const witnessKey = generateKeyPairSync('ed25519').privateKey;
    const cosigner = cosignerKeyFor('regulator.test/w1', witnessKey);
    const witness = await buildWitnessServer({
      cosigner: { name: cosigner.name, privateKey: witnessKey },
      logs: [logKey],
      state: await WitnessState.open(path.join(dataDir, 'witness.json')),
      logger: false,
    });
    await witness.listen({ host: '127.0.0.1', port: 0 });
    t.teardown(() => witness.close());
    const service = await startTestService({
      DATA_DIR: dataDir,
      LEDGER_ORIGIN: ORIGIN,
      LEDGER_WITNESSES: `${cosigner.text} http://127.0.0.1:${(witness.server.address() as AddressInfo).port}`,
      LEDGER_WITNESS_INTERVAL_MS: '3600000',
    });
    t.teardown(() => service.close());
    await service.setUp(parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8')));
    const { app, appender } = service.service;
    await appendEvents(appender, 20);
    await service.service.context.ledger.witnessing.roundNow();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const browser = await launchChromium();
    t.teardown(() => browser.close());
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    const visit = async () => {
      await page.goto(`${origin}/console`);
      if (await page.getByLabel('Bearer token').isVisible()) {
        await page.getByLabel('Bearer token').fill(await service.token('admin', 'dev'));
        await page.getByRole('button', { name: 'Sign in' }).click();
      }
      await page.locator('#checkpoint-verdict.verified').waitFor();
      return page.locator('#continuity-verdict');
    };

    const first = await visit();
    t.match(await first.textContent(), /First visit for this log/);
    await page.getByLabel('Witness keys you trust').fill(cosigner.text);
    await page.getByRole('button', { name: 'Check the cosignatures' }).click();
    const witnessed = page.locator('#witness-verdict.verified');
    await witnessed.waitFor();
    t.match(
      await witnessed.textContent(),
      /cosigned by 1 of 1 witnesses you trust \(regulator\.test\/w1\), verified in this browser/,
    );

    await appendEvents(appender, 7);
    const second = await visit();
    await page.locator('#continuity-verdict.verified').waitFor();
    t.match(await second.textContent(), /Proven consistent with the checkpoint of \d+ entries this browser verified/);
    t.equal(await page.getByLabel('Witness keys you trust').inputValue(), cosigner.text, 'the witness keys are remembered');

    // An insider rewrites the history from entry 5 on, recomputing every hash and node, and a
    // replica (this process, restarted in effect) signs over it: the console holds it to memory.
    const size = await service.entryCount();
    await rewriteFrom(service.database.handle.db, 5, size - 5 + 3, true);
    await appender.close();
    const { LedgerAppender } = await import('../../src/ledger-store/ledger-appender.js');
    const replica = new LedgerAppender({
      db: service.database.handle.db,
      origin: ORIGIN,
      signingKey: await loadOrCreateDevelopmentSigningKey(dataDir),
    });
    await appendEvents(replica, 1);
    await replica.close();
    const third = await visit();
    await page.locator('#continuity-verdict.alarm').waitFor();
    t.match(
      await third.textContent(),
      /^WARNING: this log contradicts the checkpoint of \d+ entries this browser verified on .*does not hold/,
    );
    const fourth = await visit();
    t.match(await fourth.textContent(), /^WARNING/, 'the warning stays: the contradicted checkpoint is not replaced');
    t.same(problems, [], 'no script error');
  },
);
