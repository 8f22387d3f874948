/**
 * A service with a witness (the standalone one, over HTTP): checkpoints are cosigned and served
 * with their cosignatures; after an insider rewrites or cuts the log and drops the checkpoints and
 * cosignatures that would show it, the restarted service learns from the witness that it is behind
 * or forked and halts, and the witness refuses to cosign the forked history.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { verifyCommand } from '../../src/cli/verify.js';
import { composeService } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { loadOrCreateDevelopmentSigningKey } from '../../src/keys/key-files.js';
import { cosignerKeyFor, splitNote, verifyCosignatures } from '../../src/ledger/cosignature.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { exportLines, exportRange } from '../../src/ledger-store/ledger-export.js';
import { LedgerIntegrityError } from '../../src/ledger-store/ledger-integrity.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildWitnessServer } from '../../src/witness/witness-server.js';
import { WitnessState } from '../../src/witness/witness-state.js';
import { receiptCheckpoint } from '../../src/workflows/cosigned-checkpoints.js';
import { capturedIo } from '../helpers/cli-io.js';
import { entryCount, rewriteFrom, truncateTo } from '../helpers/insider.js';
import { appendEvents } from '../helpers/ledger.js';
import { startTestService } from '../helpers/service.js';

const ORIGIN = 'footage-warden.test/witnessed';

async function witnessedService(t: { teardown(fn: () => unknown): void }) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-witnessed-'));
  const logKey = verifierKeyFor(ORIGIN, await loadOrCreateDevelopmentSigningKey(dataDir));
  const witnessKey = generateKeyPairSync('ed25519').privateKey;
  const cosigner = cosignerKeyFor('regulator.test/w1', witnessKey);
  const stateFile = path.join(dataDir, 'witness-state.json');
  const witness = await buildWitnessServer({
    cosigner: { name: cosigner.name, privateKey: witnessKey },
    logs: [logKey],
    state: await WitnessState.open(stateFile),
    logger: false,
  });
  await witness.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => witness.close());
  const env = {
    DATA_DIR: dataDir,
    LEDGER_ORIGIN: ORIGIN,
    LEDGER_WITNESSES: `${cosigner.text} http://127.0.0.1:${(witness.server.address() as AddressInfo).port}/`,
    LEDGER_WITNESS_INTERVAL_MS: '3600000',
  };
  const first = await startTestService(env);
  t.teardown(() => first.database.close());
  /** The same database and keys, composed again: a restart. */
  const restart = async (overrides: Record<string, string> = {}) => {
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        logs.push(chunk.toString());
        callback();
      },
    });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', ...env, ...overrides });
    const service = await composeService(config, createLogger(config.logLevel, sink), { database: first.database.handle });
    t.teardown(() => service.close());
    return { service, logs };
  };
  return { first, restart, cosigner, stateFile, db: first.database.handle.db };
}

async function cosignedOnce(service: Awaited<ReturnType<typeof startTestService>>['service']) {
  await appendEvents(service.appender, 30);
  await service.context.ledger.witnessing.roundNow();
}

t.test('checkpoints are cosigned by the witness and served with the cosignature', async (t) => {
  const { first, cosigner } = await witnessedService(t);
  await cosignedOnce(first.service);
  const { app } = first.service;
  const answer = await app.inject({ method: 'GET', url: '/v1/ledger/checkpoint?witnessed=true' });
  t.equal(answer.statusCode, 200);
  t.equal(answer.headers['footage-warden-witnessed'], 'true');
  const { body, lines } = splitNote(answer.body);
  t.equal(lines.length, 2, "the log's signature and the witness's cosignature");
  t.equal(verifyCosignatures(body, lines, [cosigner]).length, 1);
  const receipt = await receiptCheckpoint(first.service.context, 5);
  t.equal(receipt?.witnessed, true, 'a receipt for an early entry is given against the witnessed checkpoint');
  t.match(receipt?.note, /regulator\.test\/w1 /);

  await appendEvents(first.service.appender, 3);
  const fresh = await receiptCheckpoint(first.service.context, (await entryCount(first.database.handle.db)) - 1);
  t.equal(fresh?.witnessed, false, 'a receipt past the witnessed size is not yet witnessed');
  await first.service.context.ledger.witnessing.roundNow();
  t.equal(first.service.context.ledger.witnessing.status()[0]?.cosignedSize, await entryCount(first.database.handle.db));
  t.equal(first.service.context.ledger.integrity.halted, undefined);

  // The export carries the cosignatures; the offline verifier counts them.
  const db = first.database.handle.db;
  let text = '';
  for await (const chunk of exportLines(db, ORIGIN, await exportRange(db, 0, undefined))) text += chunk;
  const file = path.join(first.dataDir, 'export.ndjson');
  await writeFile(file, text);
  const logKey = first.service.context.ledger.verifierKey.text;
  const cli = capturedIo();
  t.equal(await verifyCommand.run([file, '--key', logKey, '--witness', cosigner.text], cli), 0, cli.out);
  t.match(cli.out, new RegExp(`witnessed through size ${await entryCount(db)} by 1 of 1`));
  const stranger = cosignerKeyFor('stranger.test/w', generateKeyPairSync('ed25519').privateKey).text;
  cli.out = '';
  t.equal(await verifyCommand.run([file, '--key', logKey, '--witness', stranger], cli), 1, 'no cosignature by that witness');
  t.match(cli.out, /^FAILED: no checkpoint of the export is cosigned/);
  await first.service.close();
});

t.test('a restarted service that finds its log shorter than the witness saw halts before recording', async (t) => {
  const { first, restart, db, stateFile } = await witnessedService(t);
  await cosignedOnce(first.service);
  await first.service.close();
  const witnessedSize = JSON.parse(await readFile(stateFile, 'utf8')).logs[ORIGIN].size;
  await truncateTo(db, 20, true);
  const { service, logs } = await restart();
  await service.context.ledger.witnessing.roundNow();
  const halted = service.context.ledger.integrity.halted;
  t.equal(halted?.check, 'witness-ahead', halted?.detail ?? 'not halted');
  t.match(logs.join(''), /LEDGER INTEGRITY: witness-ahead/);
  const ready = await service.app.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 503);
  t.equal(ready.json().code, 'ledger-integrity');
  const size = await entryCount(db);
  await t.rejects(
    service.writer.record({ kind: 'playback.started', actor: { unit: null, subject: 'x' }, payload: {} }),
    LedgerIntegrityError,
  );
  t.equal(await entryCount(db), size, 'nothing was recorded');
  t.equal(JSON.parse(await readFile(stateFile, 'utf8')).logs[ORIGIN].size, witnessedSize, 'the witness kept its state');
  const metrics = await service.metrics.registry.getSingleMetricAsString('footage_warden_ledger_integrity_halted');
  t.match(metrics, /footage_warden_ledger_integrity_halted 1/);
});

t.test('a restarted service whose history was rewritten is refused by the witness and halts', async (t) => {
  const { first, restart, db, stateFile } = await witnessedService(t);
  await cosignedOnce(first.service);
  await first.service.close();
  const before = JSON.parse(await readFile(stateFile, 'utf8')).logs[ORIGIN];
  await rewriteFrom(db, 10, 40, true);
  // A replica started without its witnesses finds nothing stored that contradicts the rewrite, and
  // signs over it; the witness is what refuses it.
  const unwitnessed = await restart({ LEDGER_WITNESSES: '' });
  t.equal(unwitnessed.service.context.ledger.integrity.halted, undefined, 'nothing stored contradicts the rewrite');
  await appendEvents(unwitnessed.service.appender, 1);
  await unwitnessed.service.close();
  const { service } = await restart();
  await service.context.ledger.witnessing.roundNow();
  const halted = service.context.ledger.integrity.halted;
  t.equal(halted?.check, 'witness-refused', halted?.detail ?? 'not halted');
  t.same(JSON.parse(await readFile(stateFile, 'utf8')).logs[ORIGIN], before, 'the witness did not cosign the fork');
});

t.test('stored cosignatures bind the log at start: a log cut below them does not start writing', async (t) => {
  const { first, restart, db } = await witnessedService(t);
  await cosignedOnce(first.service);
  await first.service.close();
  await truncateTo(db, 20, false);
  const { service } = await restart();
  const halted = service.context.ledger.integrity.halted;
  t.ok(halted, 'halted at start');
  t.equal(halted?.reference, 'witnessed', halted?.detail ?? '');
});
