import t from 'tap';
import { compileTemplate, matchPath, parsePathTime, TemplateError } from '../../src/gate/path-templates.js';

const templates = [
  compileTemplate({ template: '/live/{camera}/...', action: 'live', purpose: 'public_safety', reason: 'monitoring' }),
  compileTemplate({ template: '/hls/{camera}/{from}/{to}/...', action: 'playback', purpose: 'public_safety' }),
  compileTemplate({ template: '/export/{camera}/{from}/{to}/clip.mp4', action: 'export', purpose: 'case_handling' }),
];

t.test('a live URI names its camera and takes no window', async (t) => {
  const found = matchPath(templates, '/live/cam-square-north/index.m3u8');
  t.same(
    { camera: found?.camera, action: found?.action, window: found?.window },
    { camera: 'cam-square-north', action: 'live', window: undefined },
  );
  t.equal(found?.template.reason, 'monitoring');
});

t.test('a playback URI carries its window as RFC 3339 instants or Unix seconds', async (t) => {
  const iso = matchPath(templates, '/hls/cam-1/2026-11-28T10:00:00Z/2026-11-28T11:00:00+01:00/seg-0001.ts');
  t.same(iso?.window, { from: '2026-11-28T10:00:00.000Z', to: '2026-11-28T10:00:00.000Z' });
  const unix = matchPath(templates, '/hls/cam-1/1795000000/1795003600/index.m3u8');
  t.same(unix?.window, { from: new Date(1795000000_000).toISOString(), to: new Date(1795003600_000).toISOString() });
  t.equal(unix?.action, 'playback');
});

t.test('a template without a rest matches exactly its segments', async (t) => {
  t.equal(matchPath(templates, '/export/cam-1/1795000000/1795003600/clip.mp4')?.action, 'export');
  t.equal(matchPath(templates, '/export/cam-1/1795000000/1795003600/other.mp4'), undefined);
  t.equal(matchPath(templates, '/export/cam-1/1795000000/1795003600/clip.mp4/more'), undefined);
});

t.test('paths that match no template, hold empty or dot segments, or bad times, match nothing', async (t) => {
  for (const uri of [
    '/live/cam-1',
    '/live//index.m3u8',
    '/live/../index.m3u8',
    '/live/./index.m3u8',
    '/live/cam-1/../../etc/passwd',
    '/live/cam-1/x/',
    '/hls/cam-1/yesterday/today/index.m3u8',
    '/hls/cam-1/2026-11-28T10:00:00/2026-11-28T11:00:00Z/index.m3u8',
    'live/cam-1/index.m3u8',
    '/other/cam-1/index.m3u8',
  ]) {
    t.equal(matchPath(templates, uri), undefined, uri);
  }
});

t.test('templates are checked when compiled', async (t) => {
  const bad: [string, 'live' | 'playback'][] = [
    ['live/{camera}', 'live'],
    ['/live/...', 'live'],
    ['/live/{camera}/{camera}', 'live'],
    ['/live/{camera}/.../x', 'live'],
    ['/live/{cam}', 'live'],
    ['/live/{camera}/{from}', 'live'],
    ['/hls/{camera}/{from}/...', 'playback'],
    ['/a//{camera}', 'live'],
  ];
  for (const [template, action] of bad) {
    t.throws(() => compileTemplate({ template, action, purpose: 'public_safety' }), TemplateError, template);
  }
});

t.test('path times accept RFC 3339 with a zone and whole Unix seconds only', async (t) => {
  t.equal(parsePathTime('2026-11-28T10:00:00.5+08:00'), '2026-11-28T02:00:00.500Z');
  t.equal(parsePathTime('0'), '1970-01-01T00:00:00.000Z');
  t.equal(parsePathTime('2026-13-28T10:00:00Z'), undefined);
  t.equal(parsePathTime('-5'), undefined);
  t.equal(parsePathTime('1.5'), undefined);
});

t.test('placeholders may share a segment with text, as a GB/T 28181 platform names its streams', async (t) => {
  const streams = [
    compileTemplate({ template: '/rtp/{any}_{camera}', action: 'live', purpose: 'public_safety' }),
    compileTemplate({ template: '/playback/{camera}_{from}_{to}', action: 'playback', purpose: 'public_safety' }),
  ];
  const live = matchPath(streams, '/rtp/34020000001110000001_34020000001320000001');
  t.same({ camera: live?.camera, action: live?.action }, { camera: '34020000001320000001', action: 'live' });
  t.equal(live?.fixedSegments, 2);
  const recorded = matchPath(streams, '/playback/34020000001320000001_1795000000_1795003600');
  t.same(recorded?.window, { from: new Date(1795000000_000).toISOString(), to: new Date(1795003600_000).toISOString() });
  t.equal(recorded?.camera, '34020000001320000001');
  t.equal(matchPath(streams, '/rtp/34020000001320000001'), undefined, 'the text between placeholders is required');
  t.equal(matchPath(streams, '/rtp/_34020000001320000001'), undefined, 'a placeholder matches at least one character');
  t.equal(
    matchPath(streams, '/playback/cam_x_1795000000_1795003600'),
    undefined,
    'a camera holding the separator splits wrongly and fails',
  );
  t.equal(matchPath(streams, '/playback/34020000001320000001_1795000000_1795003600/more'), undefined);
  t.throws(() => compileTemplate({ template: '/rtp/{any}{camera}', action: 'live', purpose: 'p' }), TemplateError);
  t.throws(() => compileTemplate({ template: '/rtp/{device}_{camera}', action: 'live', purpose: 'p' }), TemplateError);
  t.throws(() => compileTemplate({ template: '/rtp/{any}_{camera}_{camera}', action: 'live', purpose: 'p' }), TemplateError);
  t.throws(() => compileTemplate({ template: '/rtp/x}_{camera}', action: 'live', purpose: 'p' }), TemplateError);
});
