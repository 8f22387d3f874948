/** The benches' append workload: decision-shaped entries appended by many concurrent callers. */
import type { LedgerAppender } from '../src/ledger-store/ledger-appender.js';
import { percentile } from './statistics.js';

export function payload(i: number) {
  return {
    camera_id: `cam-${i % 997}`,
    action: 'playback',
    window: { from: '2026-11-01T08:00:00.000Z', to: '2026-11-01T09:00:00.000Z' },
    purpose: 'public_safety',
    decision: i % 11 === 0 ? 'deny' : 'allow',
    reasons: [{ code: 'ROLE_PERMITS', article: '23(2)' }],
    obligations: [{ code: 'REGISTER_TRANSFER', article: '23(3)' }],
    grant_id: null,
    decision_id: `d-${i.toString(36).padStart(10, '0')}`,
  };
}

/** Appends `count` entries from `callers` concurrent callers; the rate and append-to-commit latency. */
export async function appendMany(
  appender: LedgerAppender,
  count: number,
  callers: number,
  offset: number,
): Promise<{ rate: number; p50: number; p99: number }> {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < count) {
        const i = offset + next++;
        const begun = performance.now();
        await appender.append({
          draft: { kind: 'access.decided', actor: { unit: 'district-7', subject: `op-${i % 1000}` }, payload: payload(i) },
        });
        latencies.push(performance.now() - begun);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
