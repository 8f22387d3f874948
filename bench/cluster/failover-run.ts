/**
 * Failover under load, shared by the cluster test (a short run in CI) and `npm run bench:failover`:
 * a service on the cluster's HAProxy primary port takes decisions and gateway events from many
 * clients while the primary is killed — `kill -9` of its postmaster, or of its Patroni agent — and
 * Patroni promotes the synchronous standby. Every acknowledged receipt is kept; afterwards the log
 * must hold each with the same leaf hash, with no gap and no reused seq, and verify.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { composeService, type Service } from '../../src/compose.js';
import { type Config, loadConfig } from '../../src/config.js';
import { EXAMPLE_REGISTRY_FILE } from '../../src/development.js';
import { mintDevelopmentToken } from '../../src/keys/development-token.js';
import { loadOrCreateDevelopmentTokenSecret } from '../../src/keys/key-files.js';
import { TreeFrontier } from '../../src/ledger/tree.js';
import { verifyStoredLedger } from '../../src/ledger-store/ledger-verification.js';
import { createLogger } from '../../src/observability/logger.js';
import { POLICY_FILE } from '../../src/policy/enforcer.js';
import { changeContexts, SERVICE_ACTOR } from '../../src/recorder.js';
import { importRegistry, parseRegistryDocument } from '../../src/workflows/registry-import.js';
import type { ClusterNode, PatroniCluster } from './patroni-cluster.js';

export type Kill = 'postmaster' | 'agent';

export interface FailoverRound {
  readonly kill: Kill;
  readonly killed: string;
  readonly newLeader: string | undefined;
  /** The longest time without an acknowledged write, from the kill until writes resumed. */
  readonly secondsWithoutService: number;
}

export interface FailoverReport {
  readonly rounds: FailoverRound[];
  readonly acknowledged: number;
  readonly lost: number;
  readonly changed: number;
  readonly unavailable: number;
  readonly otherFailures: string[];
  readonly treeSize: number;
  readonly gapless: boolean;
  readonly verified: boolean;
  readonly firstFailure: string | undefined;
  /** Distinct checkpoints served during the run (`GET /v1/ledger/checkpoint` every 250 ms). */
  readonly checkpointsSeen: number;
  /** Those whose root is not the final log's root at their size, as "size:root". */
  readonly checkpointsDisagreeing: string[];
}

const HOUR = 3_600_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function openService(cluster: PatroniCluster, dataDir: string): Promise<{ service: Service; config: Config }> {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, DATABASE_URL: cluster.url, LOG_LEVEL: 'error' });
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const service = await composeService(config, createLogger(config.logLevel, quiet));
  const document = parseRegistryDocument(await readFile(EXAMPLE_REGISTRY_FILE, 'utf8'));
  const contexts = changeContexts(
    service.database.db,
    service.writer,
    await readFile(POLICY_FILE, 'utf8'),
    service.context.profile,
  );
  await importRegistry(contexts.registryContext, contexts.roleContext, SERVICE_ACTOR, {
    ...document,
    role_assignments: [
      ...(document.role_assignments ?? []),
      { subject: 'gw-riverside', role: 'gateway', unit_id: 'riverside-psb' },
    ],
  });
  await service.access.refresh();
  return { service, config };
}

function killNode(cluster: PatroniCluster, node: ClusterNode, kill: Kill): void {
  const pid = kill === 'postmaster' ? cluster.postmasterPid(node) : node.process?.pid;
  if (pid === undefined) throw new Error(`no ${kill} pid for ${node.name}`);
  process.kill(pid, 'SIGKILL');
}

/** Size and root (base64) of a checkpoint note: its second and third lines (C2SP tlog-checkpoint). */
function checkpointBody(note: string): { size: number; root: string } | undefined {
  const [, size, root] = note.split('\n');
  return size === undefined || root === undefined || !/^\d+$/.test(size) ? undefined : { size: Number(size), root };
}

/** The checkpoints whose root differs from the root of `leaves` at their size. */
function disagreeing(seen: ReadonlyMap<number, string>, leaves: readonly Buffer[]): string[] {
  const found: string[] = [];
  const frontier = new TreeFrontier();
  const check = (size: number) => {
    const root = seen.get(size);
    if (root !== undefined && root !== frontier.root().toString('base64')) found.push(`${size}:${root}`);
  };
  for (const leaf of leaves) {
    frontier.append(leaf);
    check(frontier.size);
  }
  for (const size of seen.keys()) if (size > leaves.length) found.push(`${size}:beyond the log`);
  return found;
}

export async function runFailover(
  cluster: PatroniCluster,
  options: {
    readonly kills: readonly Kill[];
    readonly clients: number;
    readonly settleMs: number;
    readonly progress?: (line: string) => void;
  },
): Promise<FailoverReport> {
  const progress = options.progress ?? (() => {});
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'footage-warden-failover-'));
  const { service, config } = await openService(cluster, dataDir);
  const secret = await loadOrCreateDevelopmentTokenSecret(dataDir);
  const token = (subject: string) =>
    mintDevelopmentToken(secret, { subject, unit: 'riverside-psb', ttlSeconds: 3600, ...config.auth });
  const headers = {
    supervisor: { authorization: `Bearer ${token('sup-li')}` },
    gateway: { authorization: `Bearer ${token('gw-riverside')}` },
  };
  const window = { from: new Date(Date.now() - 4 * HOUR).toISOString(), to: new Date(Date.now() - 2 * HOUR).toISOString() };
  const acknowledged = new Map<number, string>();
  const otherFailures: string[] = [];
  const ackTimes: number[] = [];
  let unavailable = 0;
  let lastAck = Date.now();
  let running = true;
  const checkpoints = new Map<number, string>();
  const watchCheckpoints = async () => {
    while (running) {
      const answer = await service.app.inject({ method: 'GET', url: '/v1/ledger/checkpoint' });
      const body = answer.statusCode === 200 ? checkpointBody(answer.body) : undefined;
      if (body !== undefined) {
        const earlier = checkpoints.get(body.size);
        checkpoints.set(body.size, earlier !== undefined && earlier !== body.root ? `${earlier}|${body.root}` : body.root);
      }
      await sleep(250);
    }
  };
  const client = async (id: number) => {
    for (let i = 0; running; i += 1) {
      const response = await service.app.inject(
        i % 2 === 0
          ? {
              method: 'POST',
              url: '/v1/decisions',
              headers: headers.supervisor,
              payload: {
                camera_id: 'cam-square-north',
                action: 'playback',
                purpose: 'case_handling',
                reason: `load ${id}`,
                window,
              },
            }
          : {
              method: 'POST',
              url: '/v1/ledger/events',
              headers: headers.gateway,
              payload: { kind: 'playback.started', payload: { camera_id: 'cam-square-north', session_id: `c${id}-${i}` } },
            },
      );
      if (response.statusCode === 200 || response.statusCode === 201) {
        const receipt = response.json().receipt as { seq: number; leaf_hash: string };
        if (acknowledged.has(receipt.seq) && acknowledged.get(receipt.seq) !== receipt.leaf_hash) {
          otherFailures.push(`seq ${receipt.seq} acknowledged twice with different leaves`);
        }
        acknowledged.set(receipt.seq, receipt.leaf_hash);
        lastAck = Date.now();
        ackTimes.push(lastAck);
      } else if (response.statusCode === 503) {
        unavailable += 1;
        await sleep(50);
      } else {
        otherFailures.push(`${response.statusCode} ${response.body.slice(0, 200)}`);
        await sleep(50);
      }
    }
  };
  const clients = [...Array.from({ length: options.clients }, (_, id) => client(id)), watchCheckpoints()];
  const rounds: FailoverRound[] = [];
  try {
    await sleep(options.settleMs);
    for (const kill of options.kills) {
      const leader = await cluster.leader();
      if (leader === undefined) throw new Error('no leader to kill');
      const killedAt = Date.now();
      progress(`killing ${leader.name}'s ${kill}; acknowledged so far ${acknowledged.size}`);
      killNode(cluster, leader, kill);
      // The failover is over once another node leads and writes go through again.
      await cluster.until(
        async () => {
          const current = await cluster.leader();
          return current !== undefined && current.name !== leader.name;
        },
        90_000,
        `another leader after killing ${leader.name}'s ${kill}`,
      );
      const ledAt = Date.now();
      progress(`new leader after ${(ledAt - killedAt) / 1000} s`);
      // The old primary comes back as a standby: its orphaned postmaster is stopped, its agent restarted.
      if (kill === 'agent') {
        const orphan = cluster.postmasterPid(leader);
        if (orphan !== undefined) process.kill(orphan, 'SIGKILL');
        await sleep(500);
        cluster.startNode(leader);
      }
      await cluster.until(async () => lastAck > ledAt, 60_000, `writes resume after killing ${leader.name}'s ${kill}`);
      const newLeader = await cluster.leader();
      const times = [killedAt, ...ackTimes.filter((time) => time > killedAt && time <= lastAck)];
      const longestGap = times.reduce((gap, time, i) => (i === 0 ? gap : Math.max(gap, time - (times[i - 1] as number))), 0);
      rounds.push({ kill, killed: leader.name, newLeader: newLeader?.name, secondsWithoutService: longestGap / 1000 });
      await cluster.until(
        async () => (await cluster.members()).some((member) => member.role === 'sync_standby'),
        120_000,
        `${leader.name} rejoins as the synchronous standby`,
      );
      await sleep(options.settleMs);
    }
  } finally {
    running = false;
    await Promise.all(clients);
  }
  const db = service.database.db;
  const rows = await db.selectFrom('ledger_entries').select(['seq', 'leaf_hash']).orderBy('seq').execute();
  const checkpointsDisagreeing = disagreeing(
    checkpoints,
    rows.map((row) => row.leaf_hash),
  );
  const stored = new Map(rows.map((row) => [Number(row.seq), row.leaf_hash.toString('hex')]));
  let lost = 0;
  let changed = 0;
  for (const [seq, leaf] of acknowledged) {
    const found = stored.get(seq);
    if (found === undefined) lost += 1;
    else if (found !== leaf) changed += 1;
  }
  const gapless = rows.every((row, index) => Number(row.seq) === index);
  const result = await verifyStoredLedger(db, {
    origin: service.context.ledger.origin,
    trustedKeys: [...service.context.ledger.trustedKeys],
  });
  await service.close();
  await rm(dataDir, { recursive: true, force: true });
  return {
    rounds,
    acknowledged: acknowledged.size,
    lost,
    changed,
    unavailable,
    otherFailures: otherFailures.slice(0, 20),
    treeSize: rows.length,
    gapless,
    verified: result.ok,
    firstFailure:
      result.firstFailure === null || result.firstFailure === undefined ? undefined : JSON.stringify(result.firstFailure),
    checkpointsSeen: checkpoints.size,
    checkpointsDisagreeing,
  };
}
