/**
 * npm run bench:http — audited access decisions over HTTP, beside the ceiling for an authenticated
 * request on this stack, measured in the same run against the same server:
 *   ceiling    GET /v1/me: token verification, the permission index, a JSON answer (no database)
 *   decisions  POST /v1/decisions: validation, the rules, one ledger entry committed per answer
 * both with autocannon at BENCH_CONNECTIONS connections for BENCH_SECONDS each, the service running
 * as its own process (service-process.ts). Then the permission index alone: decision time with
 * 10,000 policy lines, 1,000 people and 50 units, beside casbin's enforce() on the same policy.
 */
import { benchPermissionIndex } from './permission-index.js';
import { CONNECTIONS, load, row, SECONDS, withServiceProcess } from './service-process.js';

await withServiceProcess('http', async (service) => {
  console.log(`load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run, service and load on the same machine`);
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
  const ceilingBefore = await load(ceilingRequest);
  const entriesBefore = await count();
  const decisions = await load(decisionRequest);
  const recorded = (await count()) - entriesBefore;
  const ceilingAfter = await load(ceilingRequest);
  const ceiling = (ceilingBefore.rps + ceilingAfter.rps) / 2;
  console.log(row('ceiling (GET /v1/me)', ceilingBefore));
  console.log(row('decisions', decisions));
  console.log(row('ceiling again', ceilingAfter));
  console.log(
    `decisions: ${((100 * decisions.rps) / ceiling).toFixed(0)}% of the ceiling (mean of both ceiling runs), p99 ${decisions.p99.toFixed(1)} ms; ` +
      `${recorded} decision entries recorded for ${decisions.requests - decisions.non2xx - decisions.errors - decisions.timeouts} answered`,
  );
});
await benchPermissionIndex();
