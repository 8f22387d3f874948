/**
 * npm run bench:http — audited access decisions over HTTP, beside the ceiling for an authenticated
 * request on this stack, measured in the same run against the same server:
 *   ceiling    GET /v1/me: token verification, the permission index, a JSON answer (no database)
 *   decisions  POST /v1/decisions: validation, the rules, one ledger entry committed per answer
 * with autocannon at BENCH_CONNECTIONS connections, the service running as its own process
 * (service-process.ts). The two alternate for BENCH_ROUNDS rounds of BENCH_SECONDS each —
 * ceiling, decisions, ceiling, … , ceiling — and each decisions run is compared with the mean of
 * the ceiling runs on either side of it, so a machine whose speed drifts during the run weighs on
 * both sides of each ratio; the median ratio is the result. Then the permission index alone:
 * decision time with 10,000 policy lines, 1,000 people and 50 units, beside casbin's enforce().
 */
import { benchPermissionIndex } from './permission-index.js';
import { CONNECTIONS, load, ROUNDS, type Run, row, SECONDS, withServiceProcess } from './service-process.js';
import { median } from './statistics.js';

const answered = (run: Run) => run.requests - run.non2xx - run.errors - run.timeouts;

await withServiceProcess('http', async (service) => {
  console.log(
    `load: autocannon, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s per run, service and load on the same machine`,
  );
  const operator = { authorization: `Bearer ${service.token('op-wang', 'riverside-psb')}`, 'content-type': 'application/json' };
  const to = new Date(Date.now() - 60_000);
  const body = JSON.stringify({
    camera_id: 'cam-square-north',
    action: 'playback',
    window: { from: new Date(to.getTime() - 3_600_000).toISOString(), to: to.toISOString() },
    purpose: 'public_safety',
    reason: 'incident report 2026-118',
  });
  const ceilingRequest = { url: `${service.origin}/v1/me`, headers: operator };
  const decisionRequest = { url: `${service.origin}/v1/decisions`, method: 'POST' as const, headers: operator, body };

  await load({ ...ceilingRequest, duration: 3 });
  await load({ ...decisionRequest, duration: 3 });
  const count = () => service.count(`SELECT count(*) FROM ledger_entries WHERE kind = 'decision.made'`);
  const ceilings: Run[] = [await load(ceilingRequest)];
  const decisions: Run[] = [];
  const entriesBefore = await count();
  for (let round = 0; round < ROUNDS; round += 1) {
    decisions.push(await load(decisionRequest));
    ceilings.push(await load(ceilingRequest));
  }
  const recorded = (await count()) - entriesBefore;
  const ratios = decisions.map((run, round) => {
    const ceiling = ((ceilings[round] as Run).rps + (ceilings[round + 1] as Run).rps) / 2;
    return (100 * run.rps) / ceiling;
  });
  console.log(row('ceiling (GET /v1/me)', ceilings[0] as Run));
  decisions.forEach((run, round) => {
    console.log(`${row(`decisions, round ${round + 1}`, run)}   ${(ratios[round] as number).toFixed(0)}% of the ceiling`);
    console.log(row('ceiling (GET /v1/me)', ceilings[round + 1] as Run));
  });
  const p99s = decisions.map((run) => run.p99);
  console.log(
    `decisions: ${median(ratios).toFixed(0)}% of the ceiling (median of ${ROUNDS} rounds, ${Math.min(...ratios).toFixed(0)}–${Math.max(...ratios).toFixed(0)}%), ` +
      `p99 ${median(p99s).toFixed(1)} ms (median; worst ${Math.max(...p99s).toFixed(1)} ms), ceiling p99 ${median(ceilings.map((run) => run.p99)).toFixed(1)} ms; ` +
      `${recorded} decision entries recorded for ${decisions.reduce((sum, run) => sum + answered(run), 0)} answered`,
  );
});
await benchPermissionIndex();
