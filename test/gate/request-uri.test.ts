import t from 'tap';
import { readRequestUri, readStreamPath, readStreamQuery } from '../../src/gate/request-uri.js';

t.test('a plain URI reads as its decoded path and its query, and must be what the gateway serves', async (t) => {
  const read = readRequestUri('/hls/cam-1/2026-11-28T10%3A00%3A00Z/1795003600/seg%2D1.ts?reason=incident%20118&x=1');
  t.ok(read.ok);
  if (!read.ok) return;
  t.equal(read.path, '/hls/cam-1/2026-11-28T10:00:00Z/1795003600/seg-1.ts');
  t.equal(read.query.get('reason'), 'incident 118');
  t.ok(readRequestUri('/live/cam-1/index.m3u8', '/live/cam-1/index.m3u8').ok, 'equal to nginx $uri');
  t.ok(readRequestUri('/live/cam-1/%E6%91%84.ts', Buffer.from('/live/cam-1/摄.ts').toString('latin1')).ok, 'UTF-8 bytes');
  t.same(readRequestUri('/live/cam-1/index.m3u8', '/live/cam-2/index.m3u8'), { ok: false, problem: 'served-differently' });
  const plus = readRequestUri('/live/cam-1/a?reason=a+b');
  t.equal(plus.ok ? plus.query.get('reason') : undefined, 'a b', 'a "+" in a query is a space, as forms encode it');
});

t.test('every way of reading a path twice is refused, and says which', async (t) => {
  const cases: [string, string][] = [
    ['live/cam-1/index.m3u8', 'not-absolute'],
    ['/live/cam-1/index.m3u8#x', 'fragment'],
    // RFC 3986 §5.2.4: dot segments, literal and encoded, anywhere.
    ['/live/cam-1/../cam-2/index.m3u8', 'dot-segment'],
    ['/live/cam-1/./index.m3u8', 'dot-segment'],
    ['/live/cam-1/..', 'dot-segment'],
    ['/live/cam-1/.', 'dot-segment'],
    ['/../live/cam-2/index.m3u8', 'dot-segment'],
    ['/live/cam-1/%2e%2e/cam-2/index.m3u8', 'encoded-delimiter'],
    ['/live/cam-1/%2E/index.m3u8', 'encoded-delimiter'],
    ['/live/cam-1/.%2e/cam-2/index.m3u8', 'encoded-delimiter'],
    // Encoded separators: nginx decodes %2F into a separator of $uri.
    ['/live/cam-1/..%2Fcam-2/index.m3u8', 'encoded-delimiter'],
    ['/live/cam-1%2F..%2Fcam-2/index.m3u8', 'encoded-delimiter'],
    ['/live/cam-1/%5C..%5Ccam-2/index.m3u8', 'encoded-delimiter'],
    ['/live/cam-1\\..\\cam-2/index.m3u8', 'bad-character'],
    // Double encoding: a second decoder would see %2F.
    ['/live/cam-1/%252F/index.m3u8', 'encoded-delimiter'],
    ['/live/cam-1/%25252e/index.m3u8', 'encoded-delimiter'],
    // Merged slashes.
    ['/live//cam-2/index.m3u8', 'empty-segment'],
    ['//live/cam-2/index.m3u8', 'empty-segment'],
    ['/live/cam-1/', 'empty-segment'],
    // NUL and controls, literal or encoded.
    ['/live/cam-1/index.m3u8%00.ts', 'control-character'],
    ['/live/cam-1/a%0d%0aX-Injected:1', 'control-character'],
    ['/live/cam-1/a%7f', 'control-character'],
    ['/live/cam-1/a\tb', 'control-character'],
    // Invalid percent-encoding.
    ['/live/cam-1/%', 'bad-percent-encoding'],
    ['/live/cam-1/%G1', 'bad-percent-encoding'],
    ['/live/cam-1/%2', 'bad-percent-encoding'],
    // Overlong and otherwise ill-formed UTF-8.
    ['/live/cam-1/%C0%AE%C0%AE/x', 'not-utf8'],
    ['/live/cam-1/%C0%AF', 'not-utf8'],
    ['/live/cam-1/%E0%80%AF', 'not-utf8'],
    ['/live/cam-1/%ED%A0%80', 'not-utf8'],
    ['/live/cam-1/%FF', 'not-utf8'],
    ['/live/cam-1/%C2%85', 'not-utf8'],
    // Characters a path does not hold as they are.
    ['/live/cam-1/a b', 'bad-character'],
    ['/live/cam-1;jsessionid=x/index.m3u8', 'bad-character'],
    ['/live/cam-1/%3Bx', 'encoded-delimiter'],
    ['/live/cam-1/%3F.m3u8', 'encoded-delimiter'],
    ['/live/cam-1/%23', 'encoded-delimiter'],
    ['/live/cam-1/é', 'bad-character'],
    // An ambiguous query.
    ['/live/cam-1/a?token=x&token=y', 'repeated-parameter'],
    ['/live/cam-1/a?reason=a&reason=b', 'repeated-parameter'],
    ['/live/cam-1/a?reason=%00', 'control-character'],
    ['/live/cam-1/a?reason=%ZZ', 'bad-percent-encoding'],
    ['/live/cam-1/a?reason=%C0%80', 'not-utf8'],
  ];
  for (const [raw, problem] of cases) t.same(readRequestUri(raw), { ok: false, problem }, raw);
});

t.test('a stream path arrives decoded: no leading slash, no percent, no dot or empty segment', async (t) => {
  const plain = readStreamPath('cam-1/sub');
  t.equal(plain.ok ? plain.path : undefined, '/cam-1/sub');
  for (const path of ['/cam-1', 'cam-1%2F..', 'cam-1/../cam-2', 'cam-1//x', 'cam-1?x', '../cam-2', 'cam 1']) {
    t.notOk(readStreamPath(path).ok, path);
  }
  t.same(
    readStreamQuery('?start=2026-11-28T10:00:00Z&duration=60s'),
    new Map([
      ['start', '2026-11-28T10:00:00Z'],
      ['duration', '60s'],
    ]),
  );
  t.same(readStreamQuery('token=a&token=b'), { problem: 'repeated-parameter' });
});
