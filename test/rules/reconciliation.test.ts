import t from 'tap';
import {
  type DecidedAccess,
  judgeServed,
  judgeSessions,
  readLogLine,
  type SessionEvent,
  servedFootage,
} from '../../src/rules/reconciliation.js';

const T0 = Date.parse('2026-11-30T10:00:00Z');
const line = (fields: Record<string, unknown>) =>
  JSON.stringify({
    time: '2026-11-30T10:00:05+00:00',
    msec: (T0 + 5_000) / 1000,
    request_time: 0.5,
    method: 'GET',
    path: '/live/cam-1/index.m3u8',
    status: 200,
    bytes: 512,
    decision: 'd-1',
    ...fields,
  });

t.test('a log line in the shipped format is read; anything else says why not', async (t) => {
  const read = readLogLine(line({}), 7);
  t.same(read, {
    line: 7,
    startedAt: T0 + 4_500,
    endedAt: T0 + 5_000,
    method: 'GET',
    path: '/live/cam-1/index.m3u8',
    status: 200,
    bytes: 512,
    decisionId: 'd-1',
  });
  t.notOk('decisionId' in (readLogLine(line({ decision: '' }), 1) as object), 'an empty decision is none');
  t.equal((readLogLine(line({ msec: undefined }), 1) as { endedAt: number }).endedAt, T0 + 5_000, 'time stands in for msec');
  const broken: Array<[string, RegExp]> = [
    ['{"path":', /JSON/],
    ['[1,2]', /JSON object/],
    ['null', /JSON object/],
    [line({ msec: 'x', time: 'yesterday' }), /msec/],
    [line({ request_time: -1 }), /request_time/],
    [line({ path: 'relative' }), /path/],
    [line({ status: '200' }), /status/],
    [line({ bytes: -5 }), /bytes/],
    [line({ decision: 5 }), /decision/],
    [line({ path: '/hls/\u0000' }), /NUL/],
    [line({ decision: '\ud800' }), /surrogate/],
  ];
  for (const [text, error] of broken) t.match(readLogLine(text, 1), { error }, text);
  t.ok(servedFootage(200) && servedFootage(206) && servedFootage(304));
  t.notOk(servedFootage(401) || servedFootage(403) || servedFootage(404) || servedFootage(500));
});

t.test('a served request reconciles only with an allow for its camera, action and window, valid when it began', async (t) => {
  const request = readLogLine(line({ path: '/hls/cam-1/a/b/seg.ts' }), 1) as Exclude<
    ReturnType<typeof readLogLine>,
    { error: string }
  >;
  const window = { from: '2026-11-30T08:00:00.000Z', to: '2026-11-30T09:00:00.000Z' };
  const target = { camera: 'cam-1', action: 'playback' as const, window };
  const allow: DecidedAccess = {
    decidedAt: T0,
    cameraId: 'cam-1',
    action: 'playback',
    window,
    allowed: true,
    validUntil: T0 + 900_000,
  };
  t.equal(judgeServed(request, target, allow), undefined);
  t.equal(judgeServed({ ...request, decisionId: undefined }, target, undefined), 'no-decision');
  t.equal(judgeServed(request, target, undefined), 'unknown-decision');
  t.equal(judgeServed(request, target, { ...allow, allowed: false, validUntil: undefined }), 'denied');
  t.equal(judgeServed(request, target, { ...allow, cameraId: 'cam-2' }), 'other-camera');
  t.equal(judgeServed(request, target, { ...allow, action: 'export' }), 'other-action');
  t.equal(judgeServed(request, { ...target, window: { ...window, to: '2026-11-30T09:00:01.000Z' } }, allow), 'outside-window');
  t.equal(
    judgeServed(request, { camera: 'cam-1', action: 'playback' }, allow),
    'outside-window',
    'a window decided, none served',
  );
  t.equal(
    judgeServed(request, target, { ...allow, validUntil: T0 + 1_000 }),
    'outside-validity',
    'begun after the allow expired',
  );
  t.equal(judgeServed(request, target, { ...allow, decidedAt: T0 + 60_000 }), 'outside-validity', 'begun before it was decided');
  t.equal(judgeServed(request, target, { ...allow, validUntil: T0 + 3_000 }), undefined, "within the clocks' slack");
  const live = { camera: 'cam-1', action: 'live' as const };
  t.equal(judgeServed(request, live, { ...allow, action: 'live', window: null }), undefined);
});

t.test('sessions reconcile when tied to an allow for their camera and both started and stopped', async (t) => {
  const decisions = new Map<string, DecidedAccess>([
    ['d-1', { decidedAt: T0, cameraId: 'cam-1', action: 'live', window: null, allowed: true, validUntil: T0 + 300_000 }],
    ['d-deny', { decidedAt: T0, cameraId: 'cam-1', action: 'live', window: null, allowed: false }],
  ]);
  let seq = 0;
  const event = (
    kind: 'started' | 'stopped',
    sessionId: string,
    at: number,
    decisionId?: string,
    cameraId = 'cam-1',
  ): SessionEvent => ({
    kind: `playback.${kind}`,
    time: T0 + at,
    seq: seq++,
    sessionId,
    cameraId,
    ...(decisionId === undefined ? {} : { decisionId }),
  });
  const events = [
    event('started', 'before', -7_200_000, 'd-1'),
    event('started', 'ok', 1_000, 'd-1'),
    event('stopped', 'before', 1_500, 'd-1'),
    event('stopped', 'ok', 2_000, 'd-1'),
    event('started', 'unasked', 3_000),
    event('stopped', 'unasked', 4_000),
    event('started', 'denied', 5_000, 'd-deny'),
    event('started', 'elsewhere', 6_000, 'd-1', 'cam-2'),
    event('stopped', 'orphan', 7_000, 'd-1'),
    event('started', 'open', 8_000, 'd-1'),
    event('started', 'still-running', 3_500_000, 'd-1'),
  ];
  const found = judgeSessions(events, decisions, { from: T0, to: T0 + 3_600_000 }, T0 + 60_000);
  t.same(
    found.map((item) => `${item.problem}:${item.event.sessionId}`).sort(),
    [
      'session-not-started:orphan',
      'session-not-stopped:denied',
      'session-not-stopped:elsewhere',
      'session-not-stopped:open',
      'session-without-decision:denied',
      'session-without-decision:elsewhere',
      'session-without-decision:unasked',
    ].sort(),
    'a session started before the period pairs with its stop; one still within the grace is not yet a finding',
  );
});
