/** Compiles the compliance report: the registry snapshot, then one pass over the period's decisions. */

import { type ComplianceReport, DecisionTally, registryFindings } from '../rules/compliance-report.js';
import type { RegulationProfile } from '../rules/regulation-profile.js';
import { forEachDecision, grantFacts, lastVerification, transferredDecisions } from '../storage/compliance-repository.js';
import type { Executor } from '../storage/transaction.js';
import type { AccessSnapshot } from './access-state.js';

export async function compileComplianceReport(
  db: Executor,
  snapshot: AccessSnapshot,
  profile: RegulationProfile,
  period: { readonly from: Date; readonly to: Date },
  now: Date = new Date(),
): Promise<ComplianceReport> {
  const tally = new DecisionTally();
  await forEachDecision(db, period, (decision) => tally.add(decision));
  const { exports, grants } = tally.wanted;
  const [transferred, grantMap, verification] = await Promise.all([
    transferredDecisions(db, exports),
    grantFacts(db, grants),
    lastVerification(db),
  ]);
  return {
    generated_at: now.toISOString(),
    profile: profile.name,
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    ...registryFindings(snapshot, profile, now),
    ...tally.findings(profile, now, transferred, grantMap),
    last_verification: verification,
  };
}
