import fc from 'fast-check';
import t from 'tap';
import { scanLeafFields } from '../../src/ledger/canonical-scan.js';
import { decodeEntry, type EntryDraft, encodeEntry } from '../../src/ledger/entry.js';

const TIME = '2026-11-29T06:22:12.453Z';
const PREV = Buffer.alloc(32, 0xab);

function encoded(payload: Record<string, unknown>, kind = 'decision.made', seq = 7): Buffer {
  const draft: EntryDraft = { kind, time: TIME, actor: { unit: 'riverside-psb', subject: 'op-wang' }, payload };
  return encodeEntry(draft, seq, PREV).bytes;
}

/** Whatever the scanner accepts, the full decoder accepts with the same fields. */
function agreesWithDecoder(bytes: Uint8Array): boolean {
  const fields = scanLeafFields(bytes);
  if (fields === undefined) return true;
  try {
    const entry = decodeEntry(bytes);
    return entry.seq === fields.seq && entry.kind === fields.kind && entry.prev === fields.prev;
  } catch {
    return false;
  }
}

t.test('a decision entry is read by the fast path with the fields the full decoder reads', async (t) => {
  const bytes = encoded({
    camera_id: 'cam-square-north',
    window: { from: '2026-11-29T05:21:12.445Z', to: '2026-11-29T06:21:12.445Z' },
    reasons: [],
    obligations: ['REGISTER_TRANSFER'],
    grant_id: null,
    count: -42,
    zero: 0,
    flags: [true, false],
    note: 'quote " backslash \\ tab \t newline \n 监控 😀 \u2028',
  });
  t.same(scanLeafFields(bytes), { seq: 7, kind: 'decision.made', prev: PREV.toString('hex') });
  t.ok(agreesWithDecoder(bytes));
});

t.test('what the fast path does not handle is left to the full decoder', async (t) => {
  const cases: [string, Buffer][] = [
    ['a fraction', encoded({ ratio: 0.5 })],
    ['a number of more than 15 digits', encoded({ big: 1234567890123456 })],
    ['a \\u escape of a control character', encoded({ bell: '\u0007' })],
    ['a key with a non-ASCII character', encoded({ 监控: 1 })],
    ['a key.rotated entry (its key is read in full)', encoded({ key: 'k', previous: null }, 'key.rotated')],
  ];
  for (const [name, bytes] of cases) {
    t.equal(scanLeafFields(bytes), undefined, name);
    t.doesNotThrow(() => decodeEntry(bytes), `${name} is still a valid entry`);
  }
});

t.test('bytes that are not a canonical entry are never accepted by the fast path', async (t) => {
  const valid = encoded({ camera_id: 'cam-1', n: 10 }).toString('utf8');
  const variants: [string, Buffer][] = [
    ['whitespace', Buffer.from(valid.replace('"n":', '"n": '))],
    ['members out of order', Buffer.from(valid.replace('"camera_id":"cam-1","n":10', '"n":10,"camera_id":"cam-1"'))],
    ['a duplicate member', Buffer.from(valid.replace('"n":10', '"n":10,"n":10'))],
    ['a leading zero', Buffer.from(valid.replace('"n":10', '"n":010'))],
    ['negative zero', Buffer.from(valid.replace('"n":10', '"n":-0'))],
    ['an exponent', Buffer.from(valid.replace('"n":10', '"n":1e1'))],
    ['an escaped solidus', Buffer.from(valid.replace('cam-1', 'cam\\/1'))],
    ['a needless \\u escape', Buffer.from(valid.replace('cam-1', 'cam\\u002d1'))],
    ['a raw control character', Buffer.from(valid.replace('cam-1', 'cam\u00011'))],
    ['a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(valid)])],
    ['trailing bytes', Buffer.concat([Buffer.from(valid), Buffer.from(' ')])],
    ['a truncated entry', Buffer.from(valid.slice(0, -1))],
    ['seq as a string', Buffer.from(valid.replace('"seq":7', '"seq":"7"'))],
    ['a negative seq', Buffer.from(valid.replace('"seq":7', '"seq":-7'))],
    ['version 2', Buffer.from(valid.replace('"v":1', '"v":2'))],
    [
      'an upper-case prev',
      Buffer.from(valid.replace(/"prev":"([0-9a-f]+)"/, (_, hex: string) => `"prev":"${hex.toUpperCase()}"`)),
    ],
    ['a bad time', Buffer.from(valid.replace(TIME, '2026-13-29T06:22:12.453Z'))],
    ['a kind without a dot', Buffer.from(valid.replace('decision.made', 'decision'))],
    ['an actor without a unit', Buffer.from(valid.replace('"unit":"riverside-psb"', '"unit2":"riverside-psb"'))],
    ['an actor unit that is a number', Buffer.from(valid.replace('"unit":"riverside-psb"', '"unit":5'))],
  ];
  const utf8: [string, number[]][] = [
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point beyond U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a lone continuation byte', [0x80]],
    ['a truncated sequence', [0xe7, 0x9b]],
  ];
  const at = valid.indexOf('cam-1');
  const raw = Buffer.from(valid);
  for (const [name, bytes] of utf8) {
    variants.push([name, Buffer.concat([raw.subarray(0, at), Buffer.from(bytes), raw.subarray(at)])]);
  }
  for (const [name, bytes] of variants) {
    t.equal(scanLeafFields(bytes), undefined, name);
    t.throws(() => decodeEntry(bytes), `${name} is refused by the full decoder too`);
  }
});

t.test('nesting is accepted to the canonicaliser’s depth and no further', async (t) => {
  for (let depth = 60; depth <= 66; depth++) {
    const text = encoded({ x: 1 })
      .toString('utf8')
      .replace('"x":1', `"x":${'['.repeat(depth)}${']'.repeat(depth)}`);
    const bytes = Buffer.from(text);
    let decoded = true;
    try {
      decodeEntry(bytes);
    } catch {
      decoded = false;
    }
    t.equal(scanLeafFields(bytes) !== undefined, decoded, `arrays nested ${depth} deep`);
  }
});

const jsonPayload = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 });
const simplePayload = fc.dictionary(
  fc.stringMatching(/^[a-z_]{1,8}$/),
  fc.oneof(
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 3 }),
  ),
  { maxKeys: 6 },
);

t.test('property: on any entry the fast path agrees with the full decoder or leaves it alone', async (t) => {
  fc.assert(fc.property(jsonPayload, (payload) => agreesWithDecoder(encoded(payload))));
  t.pass();
});

t.test('property: entries of strings, integers, booleans and nulls take the fast path', async (t) => {
  fc.assert(
    fc.property(simplePayload, fc.nat(), (payload, seq) => {
      const bytes = encoded(payload, 'decision.made', seq);
      const fields = scanLeafFields(bytes);
      const control = JSON.stringify(payload).includes('\\u');
      return control ? agreesWithDecoder(bytes) : fields?.seq === seq && agreesWithDecoder(bytes);
    }),
  );
  t.pass();
});

t.test('property: no mutation of an entry’s bytes is accepted unless the full decoder accepts it alike', async (t) => {
  const mutation = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('replace', 'insert', 'delete'));
  fc.assert(
    fc.property(jsonPayload, fc.array(mutation, { minLength: 1, maxLength: 3 }), (payload, mutations) => {
      let bytes = encoded(payload);
      for (const [position, byte, how] of mutations) {
        const at = position % bytes.length;
        const before = bytes.subarray(0, at);
        const after = bytes.subarray(how === 'insert' ? at : at + 1);
        bytes = Buffer.concat([before, how === 'delete' ? Buffer.alloc(0) : Buffer.from([byte]), after]);
      }
      return agreesWithDecoder(bytes);
    }),
    { numRuns: 5000 },
  );
  t.pass();
});
