/**
 * Compiles the compliance report: the registry snapshot, then one pass over the period's decisions
 * in the tree of the latest checkpoint, which the report names. Issuing it (`issueComplianceReport`)
 * records a `report.issued` entry with the SHA-256 of the bytes served, before they are served.
 */
import { createHash } from 'node:crypto';
import type { Receipt } from '../ledger/receipt.js';
import { latestCheckpoint } from '../ledger-store/ledger-repository.js';
import { actorOf, type Caller } from '../rules/caller.js';
import { type ComplianceReport, DecisionTally, handOverFindings, lawOf, registryFindings } from '../rules/compliance-report.js';
import { reconciliationFindings } from '../rules/reconciliation-findings.js';
import type { RegulationProfile } from '../rules/regulation-profile.js';
import { retentionFindings } from '../rules/retention-findings.js';
import { allHolds } from '../storage/access-request-repository.js';
import {
  completedReconciliations,
  footageDeletions,
  forEachDecision,
  grantFacts,
  lastDeletions,
  lastVerification,
  mismatchedReceipts,
  transferredDecisions,
} from '../storage/compliance-repository.js';
import type { Executor } from '../storage/transaction.js';
import type { AccessSnapshot } from './access-state.js';
import type { LedgerWriter } from './ledger-writer.js';

export async function compileComplianceReport(
  db: Executor,
  snapshot: AccessSnapshot,
  profile: RegulationProfile,
  period: { readonly from: Date; readonly to: Date },
  now: Date = new Date(),
  /** Days past a camera's retention before an unreported deletion is a finding. */
  deletionGraceDays = 7,
): Promise<ComplianceReport> {
  const checkpoint = await latestCheckpoint(db);
  const treeSize = checkpoint?.treeSize ?? 0;
  const tally = new DecisionTally();
  await forEachDecision(db, period, (decision) => tally.add(decision), treeSize);
  const { exports, grants } = tally.wanted;
  const [transferred, grantMap, verification, mismatches, deletions, lastDeleted, holds, reconciliations] = await Promise.all([
    transferredDecisions(db, exports),
    grantFacts(db, grants),
    lastVerification(db),
    mismatchedReceipts(db, period, treeSize),
    footageDeletions(db, period, treeSize),
    lastDeletions(db, treeSize),
    allHolds(db),
    completedReconciliations(db, period, treeSize),
  ]);
  return {
    generated_at: now.toISOString(),
    profile: profile.name,
    ...lawOf(profile),
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    checkpoint: { tree_size: treeSize, root: checkpoint?.root.toString('hex') ?? null },
    ...registryFindings(snapshot, profile, now),
    ...tally.findings(profile, now, transferred, grantMap),
    ...handOverFindings(profile, mismatches),
    ...retentionFindings(profile, snapshot, {
      deletions,
      lastDeletions: lastDeleted,
      holds,
      graceDays: deletionGraceDays,
      now,
    }),
    ...reconciliationFindings(profile, reconciliations),
    last_verification: verification,
  };
}

export interface IssuedReport {
  readonly sha256: string;
  readonly receipt: Receipt;
}

/** Records that `caller` was given the report's `body` (its exact bytes, in `format`); no record, no report. */
export async function issueComplianceReport(
  writer: LedgerWriter,
  caller: Caller,
  report: ComplianceReport,
  format: 'json' | 'csv',
  body: string,
): Promise<IssuedReport> {
  const sha256 = createHash('sha256').update(body, 'utf8').digest('hex');
  const receipt = await writer.record({
    kind: 'report.issued',
    actor: actorOf(caller),
    payload: {
      report: 'compliance',
      format,
      sha256,
      period: report.period,
      profile: report.profile,
      checkpoint: report.checkpoint,
    },
  });
  return { sha256, receipt };
}
