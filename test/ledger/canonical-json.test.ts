import fc from 'fast-check';
import t from 'tap';
import { CanonicalJsonError, canonicalize } from '../../src/ledger/canonical-json.js';

t.test('RFC 8785 §3.2.2: primitives, numbers and string escapes', async (t) => {
  const input = JSON.parse(
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
      ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
  );
  t.equal(
    canonicalize(input),
    '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );
});

t.test('RFC 8785 §3.2.3: members sorted by UTF-16 code units', async (t) => {
  const input = JSON.parse(
    '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",' +
      ' "\\ud83d\\ude00": "Emoji: Grinning Face", "\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
  );
  const names = [...canonicalize(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((match) => JSON.parse(`"${match[1]}"`));
  t.same(names, ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
});

t.test('RFC 8785 Appendix B: number serialisation samples', async (t) => {
  const samples: [number, string][] = [
    [0, '0'],
    [-0, '0'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [9007199254740992, '9007199254740992'],
    [295147905179352830000, '295147905179352830000'],
    [1e21, '1e+21'],
    [0.000001, '0.000001'],
    [1e-7, '1e-7'],
  ];
  for (const [value, text] of samples) t.equal(canonicalize(value), text);
});

t.test('values JSON cannot carry are refused', async (t) => {
  t.throws(() => canonicalize(Number.NaN), CanonicalJsonError);
  t.throws(() => canonicalize(Number.POSITIVE_INFINITY), CanonicalJsonError);
  t.throws(() => canonicalize('\ud800'), CanonicalJsonError);
  t.throws(() => canonicalize({ when: new Date() }), CanonicalJsonError);
  t.throws(() => canonicalize(10n), CanonicalJsonError);
  t.equal(canonicalize({ a: undefined, b: 1 }), '{"b":1}');
});

t.test('isCanonicalText accepts exactly the canonical spelling of a value', async (t) => {
  const { isCanonicalText } = await import('../../src/ledger/canonical-json.js');
  const check = (text: string) => isCanonicalText(text, JSON.parse(text));
  t.ok(check('{"a":[1,2.5,"x"],"b":{"c":null,"d":true}}'));
  t.ok(check('{"1":"one","10":"ten","2":"two"}'), 'integer-like names in code-unit order');
  t.notOk(check('{"2":"two","10":"ten"}'), 'integer-like names out of order');
  t.notOk(check('{"b":1,"a":2}'), 'members out of order');
  t.notOk(check('{"a": 1}'), 'white space');
  t.notOk(check('{"a":1.0}'), 'a number not in ECMAScript form');
  t.notOk(check('{"a":-0}'), 'negative zero');
  t.notOk(check('{"a":"\\u0041"}'), 'an unnecessary escape');
  t.notOk(check('{"a":"\\ud800"}'), 'a lone surrogate');
  t.notOk(check('{"a":1,"a":2}'), 'a duplicate member');
});

t.test('property: a string is written as JSON.stringify writes it, and refused when not well-formed', async (t) => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)), maxLength: 2 }),
      (text, surrogates) => {
        const value = text + surrogates;
        const wellFormed = (value as string & { isWellFormed(): boolean }).isWellFormed();
        if (!wellFormed)
          return (() => {
            try {
              canonicalize({ [value]: value });
              return false;
            } catch (error) {
              return error instanceof CanonicalJsonError;
            }
          })();
        return canonicalize({ [value]: value }) === `{${JSON.stringify(value)}:${JSON.stringify(value)}}`;
      },
    ),
  );
  t.pass();
});
