/**
 * Failover under load on three nodes: the primary's postmaster killed, then the new primary's
 * Patroni agent. The synchronous standby is promoted each time, the service answers 503 while
 * there is no primary and resumes by itself, and no acknowledged entry is lost or changed.
 */
import t from 'tap';
import { runFailover } from '../../bench/cluster/failover-run.js';
import { clusterMissing, PatroniCluster } from '../../bench/cluster/patroni-cluster.js';
import { e2eSkip } from '../helpers/e2e.js';

t.setTimeout(300_000);

t.test(
  'failover in synchronous mode loses no acknowledged entry and the log verifies',
  { skip: e2eSkip(clusterMissing() === false, 'Patroni, etcd and HAProxy') },
  async (t) => {
    const cluster = await PatroniCluster.start({ nodes: 3, synchronous: true });
    t.teardown(() => cluster.stop());
    const report = await runFailover(cluster, { kills: ['postmaster', 'agent'], clients: 16, settleMs: 1500 }).catch((error) => {
      throw new Error(`${(error as Error).message}\n${cluster.logTail(80)}`);
    });
    t.comment(JSON.stringify(report));
    t.equal(report.rounds.length, 2, 'both failovers were survived');
    t.ok(
      report.rounds.every((round) => round.newLeader !== undefined && round.newLeader !== round.killed),
      'a standby was promoted each time',
    );
    t.ok(report.acknowledged > 100, `${report.acknowledged} writes acknowledged`);
    t.equal(report.lost, 0, 'no acknowledged entry is lost');
    t.equal(report.changed, 0, 'no acknowledged entry changed its leaf');
    t.ok(report.gapless, 'no gap and no reused seq');
    t.ok(report.verified, report.firstFailure ?? 'the log verifies, every checkpoint consistent with the others');
    t.ok(report.unavailable > 0, `${report.unavailable} requests were answered 503 while there was no primary`);
    t.same(report.otherFailures, [], 'no answer but 2xx and 503');
    t.ok(report.checkpointsSeen > 5, `${report.checkpointsSeen} checkpoints were served during the run`);
    t.same(report.checkpointsDisagreeing, [], 'every one of them is consistent with the final log');
  },
);
