/**
 * What the compliance report finds in the deletions video systems report (`footage.deleted`): a
 * window deleted while a legal hold covered it, a window deleted before its system's retention had
 * run, and a camera whose footage past retention has not been reported deleted for longer than the
 * retention plus a grace. A deletion is accepted as it happened; the register says what it broke.
 * Pure: the workflow reads the deletions, holds and registry.
 */
import type { HoldRow } from './access-request-records.js';
import type { AccessSnapshot } from './access-snapshot.js';
import { appliesTo, cite, type RegulationProfile } from './regulation-profile.js';

const DAY_MS = 86_400_000;

/** A `footage.deleted` entry. */
export interface ReportedDeletion {
  readonly seq: number;
  readonly time: Date;
  readonly cameraId: string;
  readonly window: { readonly from: string; readonly to: string };
}

function overlaps(a: { from: string; to: string }, b: { from: string; to: string }): boolean {
  return Date.parse(a.from) < Date.parse(b.to) && Date.parse(b.from) < Date.parse(a.to);
}

/** A hold in force at `at`: placed before it and not released by then. */
function heldAt(hold: HoldRow, at: Date): boolean {
  return Date.parse(hold.placedAt) <= at.getTime() && (hold.releasedAt === null || Date.parse(hold.releasedAt) > at.getTime());
}

export function retentionFindings(
  profile: RegulationProfile,
  snapshot: Pick<AccessSnapshot, 'cameras'>,
  input: {
    /** Deletions reported in the report's period. */
    readonly deletions: readonly ReportedDeletion[];
    /** The latest deletion reported for each camera, of all time. */
    readonly lastDeletions: ReadonlyMap<string, ReportedDeletion>;
    readonly holds: readonly HoldRow[];
    readonly graceDays: number;
    readonly now: Date;
  },
) {
  const underHold = [];
  const early = [];
  for (const deletion of input.deletions) {
    const facts = snapshot.cameras.get(deletion.cameraId);
    const base = {
      seq: deletion.seq,
      time: deletion.time.toISOString(),
      camera_id: deletion.cameraId,
      unit_id: facts?.unit.id ?? null,
      window: deletion.window,
    };
    const holds = input.holds.filter(
      (hold) =>
        hold.cameraIds.includes(deletion.cameraId) && heldAt(hold, deletion.time) && overlaps(hold.window, deletion.window),
    );
    for (const hold of holds) underHold.push({ ...cite(profile, 'FOOTAGE_DELETED_UNDER_HOLD'), ...base, hold_id: hold.id });
    const retentionDays = facts?.system.retention_days ?? profile.retentionDaysDefault;
    const keptUntil = Date.parse(deletion.window.to) + retentionDays * DAY_MS;
    const earlyApplies = facts === undefined || appliesTo(profile, facts.system.legal_basis, 'FOOTAGE_DELETED_EARLY');
    if (earlyApplies && deletion.time.getTime() < keptUntil) {
      early.push({
        ...cite(profile, 'FOOTAGE_DELETED_EARLY'),
        ...base,
        retention_days: retentionDays,
        kept_until: new Date(keptUntil).toISOString(),
      });
    }
  }
  const unreported = [];
  const cameras = [...snapshot.cameras.values()]
    .filter((facts) => facts.camera.active && facts.system.active && facts.unit.active)
    .sort((a, b) => a.camera.id.localeCompare(b.camera.id));
  for (const facts of cameras) {
    if (!appliesTo(profile, facts.system.legal_basis, 'DELETION_NOT_REPORTED')) continue;
    const last = input.lastDeletions.get(facts.camera.id);
    // Footage older than the last deleted window, or than going live, must have been deleted by now.
    const since = last === undefined ? Date.parse(facts.system.went_live_on) : Date.parse(last.window.to);
    const dueBy = since + (facts.system.retention_days + input.graceDays) * DAY_MS;
    if (input.now.getTime() > dueBy) {
      unreported.push({
        ...cite(profile, 'DELETION_NOT_REPORTED'),
        camera_id: facts.camera.id,
        unit_id: facts.unit.id,
        last_deleted_to: last?.window.to ?? null,
        retention_days: facts.system.retention_days,
        due_by: new Date(dueBy).toISOString(),
      });
    }
  }
  return { deletions_under_hold: underHold, deletions_before_retention: early, deletions_not_reported: unreported };
}

export type RetentionFindings = ReturnType<typeof retentionFindings>;
