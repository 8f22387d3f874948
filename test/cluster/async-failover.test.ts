/**
 * Asynchronous replication is caught, not trusted. With `synchronous_mode: false`, entries are
 * acknowledged while the standby is away; the primary then dies and the standby, behind, is
 * promoted. The service that signed the lost checkpoint halts with `ledger-integrity` on its next
 * write, and a service started afterwards halts on the witness that cosigned it (`witness-ahead`).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { clusterMissing, PatroniCluster } from '../../bench/cluster/patroni-cluster.js';
import { composeService, type Service } from '../../src/compose.js';
import { loadConfig } from '../../src/config.js';
import { loadOrCreateDevelopmentSigningKey } from '../../src/keys/key-files.js';
import { cosignerKeyFor } from '../../src/ledger/cosignature.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildWitnessServer } from '../../src/witness/witness-server.js';
import { WitnessState } from '../../src/witness/witness-state.js';
import { e2eSkip } from '../helpers/e2e.js';
import { appendEvents } from '../helpers/ledger.js';

t.setTimeout(300_000);

const ORIGIN = 'footage-warden.test/async';

t.test(
  'a failover that loses acknowledged entries stops the ledger with ledger-integrity',
  { skip: e2eSkip(clusterMissing() === false, 'Patroni, etcd and HAProxy') },
  async (t) => {
    const cluster = await PatroniCluster.start({ nodes: 2, synchronous: false, maximumLagOnFailover: 1 << 30 });
    t.teardown(() => cluster.stop());
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-async-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    const witnessKey = generateKeyPairSync('ed25519').privateKey;
    const cosigner = cosignerKeyFor('regulator.test/w1', witnessKey);
    const witness = await buildWitnessServer({
      cosigner: { name: cosigner.name, privateKey: witnessKey },
      logs: [verifierKeyFor(ORIGIN, await loadOrCreateDevelopmentSigningKey(dataDir))],
      state: await WitnessState.open(path.join(dataDir, 'witness-state.json')),
      logger: false,
    });
    await witness.listen({ host: '127.0.0.1', port: 0 });
    t.teardown(() => witness.close());
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: dataDir,
      DATABASE_URL: cluster.url,
      DATABASE_QUERY_TIMEOUT_MS: '3000',
      LEDGER_ORIGIN: ORIGIN,
      LEDGER_WITNESSES: `${cosigner.text} http://127.0.0.1:${(witness.server.address() as AddressInfo).port}/`,
      LEDGER_WITNESS_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'info',
    });
    const start = async (): Promise<{ service: Service; logs: string[] }> => {
      const logs: string[] = [];
      const sink = new Writable({
        write(chunk, _encoding, callback) {
          logs.push(chunk.toString());
          callback();
        },
      });
      const service = await composeService(config, createLogger(config.logLevel, sink));
      t.teardown(() => service.close());
      return { service, logs };
    };
    const { service, logs } = await start();

    const leader = await cluster.leader();
    const standby = cluster.nodes.find((node) => node !== leader);
    if (leader === undefined || standby === undefined) throw new Error('no leader and standby');
    const kept = await appendEvents(service.appender, 100, 'kept');
    const keptSize = Math.max(...kept.map((receipt) => receipt.seq)) + 1;
    await cluster.until(
      async () => cluster.answers(cluster.readUrl, `SELECT count(*) >= ${keptSize} AS ok FROM ledger_entries`),
      20_000,
      'the standby has replayed the first entries',
    );

    cluster.stopNode(standby);
    const lost = await appendEvents(service.appender, 50, 'lost');
    const signedSize = Math.max(...lost.map((receipt) => receipt.seq)) + 1;
    t.equal(lost.length, 50, 'with the standby gone, asynchronous mode still acknowledges');
    await service.context.ledger.witnessing.roundNow();
    t.equal(
      (await service.app.inject({ method: 'GET', url: '/v1/ledger/checkpoint?witnessed=true' })).statusCode,
      200,
      'and the witness cosigned the checkpoint over them',
    );

    cluster.stopNode(leader);
    cluster.startNode(standby);
    await cluster.until(async () => (await cluster.leader()) === standby, 120_000, 'the lagging standby is promoted');
    await cluster.until(async () => cluster.answers(cluster.url), 30_000, 'the primary port reaches it');
    const survived = await cluster.answers(cluster.url, `SELECT count(*) < ${signedSize} AS ok FROM ledger_entries`);
    t.ok(survived, 'the new primary lacks acknowledged entries: they were lost');

    let refusal: { code?: string } | undefined;
    await cluster.until(
      async () => {
        refusal = await appendEvents(service.appender, 1, 'after').then(
          () => ({ code: 'acknowledged' }),
          (error: { code?: string }) => error,
        );
        return refusal.code !== 'ledger-unavailable';
      },
      60_000,
      'the service reaches the new primary',
    );
    t.equal(refusal?.code, 'ledger-integrity', 'the running service refuses to write over the lost history');
    t.match(logs.join(''), /LEDGER INTEGRITY/, 'and says so');
    const decision = await service.app.inject({ method: 'GET', url: '/readyz' });
    t.equal(decision.json().code, 'ledger-integrity', 'readiness answers 503 ledger-integrity');
    t.ok(
      await cluster.answers(cluster.url, `SELECT count(*) < ${signedSize} AS ok FROM ledger_entries`),
      'nothing was written over the gap',
    );

    const size = async () => {
      const row = await service.database.db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    const before = await size();
    const restarted = await start();
    const halted = restarted.service.context.ledger.integrity.halted;
    t.equal(halted?.check, 'witness-ahead', `a service started afterwards halts on the witness: ${halted?.detail}`);
    t.equal(await size(), before, 'before it recorded anything');
  },
);
