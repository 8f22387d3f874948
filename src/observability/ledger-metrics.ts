/** Ledger metrics: appends, batch sizes, append-to-commit latency, checkpoint age, last verification. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { VerificationResult } from '../ledger/verifier.js';
import type { AppenderObserver } from '../ledger-store/ledger-appender.js';

export interface LedgerMetrics extends AppenderObserver {
  verified(result: VerificationResult): void;
}

export interface LedgerState {
  readonly latestCheckpointTime: () => Promise<Date | undefined>;
  /** Whether the ledger halted on a contradiction of its history. */
  readonly halted: () => boolean;
}

export function createLedgerMetrics(registry: Registry, state: LedgerState): LedgerMetrics {
  const { latestCheckpointTime } = state;
  new Gauge({
    name: 'footage_warden_ledger_integrity_halted',
    help: '1 once the ledger stopped because its stored history contradicts a checkpoint it is bound to',
    registers: [registry],
    collect() {
      this.set(state.halted() ? 1 : 0);
    },
  });
  const appends = new Counter({
    name: 'footage_warden_ledger_appends_total',
    help: 'Entries committed to the ledger',
    registers: [registry],
  });
  const batches = new Histogram({
    name: 'footage_warden_ledger_batch_size',
    help: 'Entries per committed batch (group commit)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const paths = new Counter({
    name: 'footage_warden_ledger_batches_total',
    help: 'Committed batches by how they were written: predicted (one round trip) or locked (re-encoded under the lock)',
    labelNames: ['path'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'footage_warden_ledger_append_commit_seconds',
    help: 'Time from an append being queued to its batch committing',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: 'footage_warden_ledger_checkpoint_age_seconds',
    help: 'Seconds since the latest signed checkpoint (absent before the first)',
    registers: [registry],
    async collect() {
      const time = await latestCheckpointTime().catch(() => undefined);
      if (time !== undefined) this.set((Date.now() - time.getTime()) / 1000);
    },
  });
  const lastOk = new Gauge({
    name: 'footage_warden_ledger_last_verification_ok',
    help: '1 if the last verification run by this process held, 0 if it failed',
    registers: [registry],
  });
  const lastTime = new Gauge({
    name: 'footage_warden_ledger_last_verification_timestamp_seconds',
    help: 'When this process last finished a verification',
    registers: [registry],
  });
  const lastEntries = new Gauge({
    name: 'footage_warden_ledger_last_verification_entries',
    help: 'Entries checked by the last verification',
    registers: [registry],
  });
  return {
    batchCommitted(size, waitedMs, path) {
      appends.inc(size);
      paths.inc({ path });
      batches.observe(size);
      for (const ms of waitedMs) latency.observe(ms / 1000);
    },
    verified(result) {
      lastOk.set(result.ok ? 1 : 0);
      lastTime.set(Date.now() / 1000);
      lastEntries.set(result.entriesChecked);
    },
  };
}
