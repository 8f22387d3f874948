import t from 'tap';
import type { HoldRow } from '../../src/rules/access-request-records.js';
import type { AccessSnapshot, CameraFacts } from '../../src/rules/access-snapshot.js';
import type { RegulationProfile } from '../../src/rules/regulation-profile.js';
import { type ReportedDeletion, retentionFindings } from '../../src/rules/retention-findings.js';

const DAY = 86_400_000;
const now = new Date('2026-11-30T12:00:00Z');
const profile = {
  retentionDaysDefault: 30,
  systemCategories: new Map(),
  findings: {
    FOOTAGE_DELETED_UNDER_HOLD: { article: 'H', message: '' },
    FOOTAGE_DELETED_EARLY: { article: 'E', message: '' },
    DELETION_NOT_REPORTED: { article: 'N', message: '' },
  },
} as unknown as RegulationProfile;

function camera(id: string, retentionDays: number, wentLiveOn = '2026-01-01'): CameraFacts {
  return {
    camera: {
      id,
      system_id: 's',
      name: id,
      location: '',
      location_class: 'road',
      near_military_area: false,
      site_consent_ref: null,
      groups: [],
      active: true,
    },
    system: {
      id: 's',
      unit_id: 'u',
      retention_days: retentionDays,
      went_live_on: wentLiveOn,
      active: true,
    } as CameraFacts['system'],
    unit: { id: 'u', active: true } as CameraFacts['unit'],
  };
}
const snapshot = {
  cameras: new Map([
    ['c1', camera('c1', 30)],
    ['c2', camera('c2', 90)],
  ]),
} as Pick<AccessSnapshot, 'cameras'>;

function deletion(cameraId: string, daysAgo: number, windowDaysAgo: [number, number], seq = 1): ReportedDeletion {
  return {
    seq,
    time: new Date(now.getTime() - daysAgo * DAY),
    cameraId,
    window: {
      from: new Date(now.getTime() - windowDaysAgo[0] * DAY).toISOString(),
      to: new Date(now.getTime() - windowDaysAgo[1] * DAY).toISOString(),
    },
  };
}

function hold(placedDaysAgo: number, releasedDaysAgo: number | null, windowDaysAgo: [number, number]): HoldRow {
  return {
    id: `h${placedDaysAgo}`,
    requestId: 'r',
    unitId: 'u',
    cameraIds: ['c1'],
    window: {
      from: new Date(now.getTime() - windowDaysAgo[0] * DAY).toISOString(),
      to: new Date(now.getTime() - windowDaysAgo[1] * DAY).toISOString(),
    },
    placedAt: new Date(now.getTime() - placedDaysAgo * DAY).toISOString(),
    releasedAt: releasedDaysAgo === null ? null : new Date(now.getTime() - releasedDaysAgo * DAY).toISOString(),
  };
}

const findings = (deletions: ReportedDeletion[], holds: HoldRow[], last = new Map<string, ReportedDeletion>()) =>
  retentionFindings(profile, snapshot, { deletions, lastDeletions: last, holds, graceDays: 7, now });

t.test('a deletion of a window a hold covered at the time is found, with the hold', async (t) => {
  const held = findings([deletion('c1', 1, [40, 35])], [hold(10, null, [45, 30])]);
  t.match(held.deletions_under_hold, [{ code: 'FOOTAGE_DELETED_UNDER_HOLD', article: 'H', camera_id: 'c1', hold_id: 'h10' }]);
  t.same(findings([deletion('c1', 1, [40, 35])], [hold(10, 5, [45, 30])]).deletions_under_hold, [], 'released before: none');
  t.same(findings([deletion('c1', 20, [60, 50])], [hold(10, null, [60, 50])]).deletions_under_hold, [], 'placed after: none');
  t.same(findings([deletion('c1', 1, [40, 35])], [hold(10, null, [30, 20])]).deletions_under_hold, [], 'another window: none');
  t.same(findings([deletion('c2', 1, [140, 135])], [hold(10, null, [145, 130])]).deletions_under_hold, [], 'another camera');
});

t.test('a deletion before the system’s retention ran is found; one after is not', async (t) => {
  const early = findings([deletion('c1', 0, [20, 10])], []);
  t.match(early.deletions_before_retention, [
    { code: 'FOOTAGE_DELETED_EARLY', article: 'E', camera_id: 'c1', retention_days: 30 },
  ]);
  t.same(findings([deletion('c1', 0, [40, 31])], []).deletions_before_retention, [], '31 days old: kept long enough');
  t.equal(findings([deletion('c2', 0, [70, 60])], []).deletions_before_retention.length, 1, 'c2 keeps 90 days');
});

t.test('a camera whose footage past retention was not reported deleted within the grace is found', async (t) => {
  const none = findings([], []);
  t.same(
    none.deletions_not_reported.map((item) => item.camera_id),
    ['c1', 'c2'],
    'never reported, live since January: both overdue',
  );
  const recent = new Map([
    ['c1', deletion('c1', 1, [32, 31])],
    ['c2', deletion('c2', 1, [130, 96])],
  ]);
  t.same(findings([], [], recent).deletions_not_reported, [], 'recent deletions: none');
  const stale = new Map([
    ['c1', deletion('c1', 20, [60, 50])],
    ['c2', deletion('c2', 1, [130, 96])],
  ]);
  t.match(findings([], [], stale).deletions_not_reported, [{ code: 'DELETION_NOT_REPORTED', article: 'N', camera_id: 'c1' }]);
});
