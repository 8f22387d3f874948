/**
 * npm run bench:failover — the full failover run (CI runs two kills in test/cluster/failover.test.ts):
 * three Patroni nodes in strict synchronous mode behind HAProxy, sixteen clients sending decisions
 * and gateway events through the service, and BENCH_FAILOVER_ROUNDS kills of the primary (default
 * 6), alternately `kill -9` of its postmaster and of its Patroni agent. Prints the seconds without
 * service per failover and the acknowledged, lost and changed entries; exits 1 if any acknowledged
 * entry was lost or changed, the sequence has a gap, a checkpoint seen during the run disagrees
 * with the final log, or the log does not verify.
 */
import os from 'node:os';
import { type Kill, runFailover } from './cluster/failover-run.js';
import { PatroniCluster } from './cluster/patroni-cluster.js';

const ROUNDS = Number(process.env.BENCH_FAILOVER_ROUNDS ?? 6);
const CLIENTS = Number(process.env.BENCH_FAILOVER_CLIENTS ?? 16);

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const kills: Kill[] = Array.from({ length: ROUNDS }, (_, i) => (i % 2 === 0 ? 'postmaster' : 'agent'));
  const cluster = await PatroniCluster.start({ nodes: 3, synchronous: true });
  try {
    console.log(`cluster: 3 nodes, ${await cluster.settings()}`);
    console.log(`workload: ${CLIENTS} clients, ${ROUNDS} failovers\n`);
    const report = await runFailover(cluster, {
      kills,
      clients: CLIENTS,
      settleMs: 3_000,
      progress: (line) => console.log(`  ${line}`),
    });
    console.log('\nround  kill        killed  promoted  seconds without service');
    report.rounds.forEach((round, i) => {
      console.log(
        `  ${String(i + 1).padEnd(5)}${round.kill.padEnd(12)}${round.killed.padEnd(8)}${(round.newLeader ?? '-').padEnd(10)}${round.secondsWithoutService.toFixed(1)}`,
      );
    });
    console.log(
      `\nacknowledged ${report.acknowledged}, lost ${report.lost}, changed ${report.changed}, answered 503 ${report.unavailable}`,
    );
    console.log(
      `log: ${report.treeSize} entries, ${report.gapless ? 'no gap and no reused seq' : 'GAP OR REUSED SEQ'}, ${report.verified ? 'verifies' : `DOES NOT VERIFY: ${report.firstFailure}`}`,
    );
    console.log(
      `checkpoints seen during the run: ${report.checkpointsSeen}, ${report.checkpointsDisagreeing.length === 0 ? 'all consistent with the final log' : `DISAGREEING: ${report.checkpointsDisagreeing.join(', ')}`}`,
    );
    if (report.otherFailures.length > 0) console.log(`other answers: ${report.otherFailures.join('; ')}`);
    const sound =
      report.lost === 0 &&
      report.changed === 0 &&
      report.gapless &&
      report.verified &&
      report.checkpointsDisagreeing.length === 0 &&
      report.otherFailures.length === 0;
    if (!sound) process.exitCode = 1;
  } catch (error) {
    console.error(`${(error as Error).message}\n${cluster.logTail(80)}`);
    process.exitCode = 1;
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
