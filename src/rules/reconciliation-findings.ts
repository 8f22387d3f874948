/**
 * The compliance report's reconciliation sections: what the period's `reconciliation.completed`
 * entries found, cited under the profile in force, and a line per reconciliation with its counts.
 */
import { PROBLEMS, type ReconciliationCode } from './reconciliation.js';
import { cite, type RegulationProfile } from './regulation-profile.js';

/** A `reconciliation.completed` entry, as the report reads it. */
export interface RecordedReconciliation {
  readonly seq: number;
  readonly time: Date;
  readonly payload: {
    readonly reconciliation_id: string;
    readonly period: { readonly from: string; readonly to: string } | null;
    readonly input: { readonly sha256: string; readonly bytes: number } | null;
    readonly counts: Readonly<Record<string, number>>;
    readonly findings: ReadonlyArray<Readonly<Record<string, unknown>> & { readonly problem: string }>;
    readonly findings_truncated: boolean;
  };
}

const SECTION_OF: Record<ReconciliationCode, 'served_without_decision' | 'served_outside_decision' | 'unreconciled_sessions'> = {
  FOOTAGE_SERVED_WITHOUT_DECISION: 'served_without_decision',
  FOOTAGE_SERVED_OUTSIDE_DECISION: 'served_outside_decision',
  SESSION_UNRECONCILED: 'unreconciled_sessions',
};

function codeOf(problem: string): ReconciliationCode {
  return (PROBLEMS as Readonly<Record<string, { code: ReconciliationCode }>>)[problem]?.code ?? 'FOOTAGE_SERVED_WITHOUT_DECISION';
}

export function reconciliationFindings(profile: RegulationProfile, reconciliations: readonly RecordedReconciliation[]) {
  type Item = Readonly<Record<string, unknown>> & { code: string; article: string };
  const sections = {
    served_without_decision: [] as Item[],
    served_outside_decision: [] as Item[],
    unreconciled_sessions: [] as Item[],
  };
  for (const { payload, seq } of reconciliations) {
    for (const finding of payload.findings) {
      const code = codeOf(finding.problem);
      sections[SECTION_OF[code]].push({ ...finding, ...cite(profile, code), reconciliation_id: payload.reconciliation_id, seq });
    }
  }
  return {
    ...sections,
    reconciliations: reconciliations.map(({ seq, time, payload }) => ({
      reconciliation_id: payload.reconciliation_id,
      seq,
      time: time.toISOString(),
      period: payload.period,
      input_sha256: payload.input?.sha256 ?? null,
      counts: payload.counts,
      findings_truncated: payload.findings_truncated,
    })),
  };
}

export type ReconciliationFindings = ReturnType<typeof reconciliationFindings>;
