/** Metrics of audit reads: which server served them, how long they waited, and the standby's lag. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StandbyObserver } from '../storage/standby-reads.js';

/** `lagBytes` is undefined without a standby: the lag gauge is then not exported. */
export function createStandbyMetrics(registry: Registry, lagBytes: (() => Promise<number>) | undefined): StandbyObserver {
  const reads = new Counter({
    name: 'footage_warden_audit_reads_total',
    help: 'Audit reads (entries, proofs, receipts, export, verification, report) by the server that served them',
    labelNames: ['served_by'],
    registers: [registry],
  });
  const waited = new Histogram({
    name: 'footage_warden_audit_read_wait_seconds',
    help: "Time an audit read waited for the standby to replay the primary's position",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  if (lagBytes !== undefined) {
    new Gauge({
      name: 'footage_warden_standby_replay_lag_bytes',
      help: "Bytes of the primary's WAL the read standby has not replayed",
      registers: [registry],
      async collect() {
        const lag = await lagBytes().catch(() => undefined);
        if (lag !== undefined) this.set(lag);
      },
    });
  }
  return {
    served(source, waitedMs) {
      reads.inc({ served_by: source });
      if (source === 'standby') waited.observe(waitedMs / 1000);
    },
  };
}
