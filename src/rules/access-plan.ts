/**
 * Which cameras a person may access now for one kind of request, and under which grant: the access
 * decision evaluated for every active camera at once, with the same facts and rules as one decision
 * (decision-facts.ts, access-rules.ts), so a camera is planned exactly when POST /v1/decisions would
 * allow it. Without a grant first; otherwise under the first of the person's grants that allows it.
 * Pure: the workflow reads the person's grants and the holds placed with them.
 */
import type { GrantRow, HoldRow } from './access-request-records.js';
import { type Action, decide } from './access-rules.js';
import type { AccessSnapshot } from './access-snapshot.js';
import type { Caller } from './caller.js';
import { DecisionError, type DecisionRequest, gatherFacts, mayAskWithoutGrant } from './decision-facts.js';
import type { RegulationProfile } from './regulation-profile.js';

export interface PlanQuestion {
  readonly action: Action;
  readonly purpose: string;
  readonly reason: string;
  readonly window?: { readonly from: string; readonly to: string };
}

export interface PlannedAccess {
  readonly cameraId: string;
  readonly unitId: string;
  /** The grant to ask under; null when the person's own roles suffice. */
  readonly grantId: string | null;
  /** What an allow would oblige (rule codes). */
  readonly obligations: readonly string[];
}

export function planAccess(
  snapshot: AccessSnapshot,
  profile: RegulationProfile,
  caller: Caller,
  question: PlanQuestion,
  grants: readonly { readonly grant: GrantRow; readonly hold?: HoldRow }[],
  at: Date,
): PlannedAccess[] {
  const planned: PlannedAccess[] = [];
  const cameras = [...snapshot.cameras.values()]
    .filter((facts) => facts.camera.active && facts.system.active && facts.unit.active)
    .sort((a, b) => a.camera.id.localeCompare(b.camera.id));
  for (const facts of cameras) {
    const options = [
      ...(mayAskWithoutGrant(snapshot, caller, facts.unit.id) ? [undefined] : []),
      ...grants.filter(({ grant }) => grant.cameraIds.includes(facts.camera.id)),
    ];
    for (const option of options) {
      const request: DecisionRequest = {
        camera_id: facts.camera.id,
        action: question.action,
        purpose: question.purpose,
        reason: question.reason,
        ...(question.window === undefined ? {} : { window: question.window }),
        ...(option === undefined ? {} : { grant_id: option.grant.id }),
      };
      let outcome: ReturnType<typeof decide>;
      try {
        outcome = decide(gatherFacts(snapshot, caller.subject, request, at, option?.grant, option?.hold), profile);
      } catch (error) {
        // A request that cannot be decided at all (a live view with a window, a window ahead).
        if (error instanceof DecisionError) break;
        throw error;
      }
      if (outcome.decision !== 'allow') continue;
      planned.push({
        cameraId: facts.camera.id,
        unitId: facts.unit.id,
        grantId: option?.grant.id ?? null,
        obligations: outcome.obligations.map((item) => item.code),
      });
      break;
    }
  }
  return planned;
}
