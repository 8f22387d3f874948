import t from 'tap';
import { parseDuration, playbackWindow } from '../../src/gate/mediamtx-query.js';

t.test('durations are seconds or Go durations', async (t) => {
  const cases: [string, number | undefined][] = [
    ['90', 90_000],
    ['12.5', 12_500],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['1m30.5s', 90_500],
    ['250ms', 250],
    ['2h', 7_200_000],
    ['0', undefined],
    ['', undefined],
    ['-5', undefined],
    ['1d', undefined],
    ['s', undefined],
    ['5m5h', undefined],
  ];
  for (const [text, ms] of cases) t.equal(parseDuration(text), ms, text);
});

t.test('a playback window runs from start for duration', async (t) => {
  t.same(playbackWindow(new URLSearchParams('start=2026-11-28T10:00:00Z&duration=60')), {
    from: '2026-11-28T10:00:00.000Z',
    to: '2026-11-28T10:01:00.000Z',
  });
  t.match(playbackWindow(new URLSearchParams('duration=60')), { field: 'start' });
  t.match(playbackWindow(new URLSearchParams('start=2026-11-28T10:00:00Z&duration=soon')), { field: 'duration' });
});
