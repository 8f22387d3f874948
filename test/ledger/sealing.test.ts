import t from 'tap';
import { checkOpening, commitment, sealFields } from '../../src/ledger/sealing.js';

const salt = () => Buffer.alloc(32, 7);

function document() {
  return {
    kind: 'request.submitted',
    payload: {
      person: { subject: 'p-1', name: 'Zhao Min' },
      officers: [{ name: 'Qian Yu' }, { name: 'Sun Li' }],
      window: { from: '2026-11-01T08:00:00.000Z', to: '2026-11-01T09:00:00.000Z' },
    },
  };
}

t.test('sealing copies only the way to each sealed field and leaves the document unchanged', async (t) => {
  const original = document();
  const before = structuredClone(original);
  const { sealed, openings } = sealFields(original, ['/payload/officers/*/name'], salt);
  t.same(original, before, 'the document is not changed');
  t.same(
    openings.map((opening) => [opening.pointer, opening.value]),
    [
      ['/payload/officers/0/name', 'Qian Yu'],
      ['/payload/officers/1/name', 'Sun Li'],
    ],
  );
  t.same(sealed.payload.officers[1], { name: { $sealed: commitment('Sun Li', salt()).toString('hex') } });
  t.equal(sealed.payload.window, original.payload.window, 'a part without sealed fields is shared');
  t.not(sealed.payload, original.payload, 'a container on the way is copied');
  for (const opening of openings) t.ok(checkOpening(sealed, opening), `${opening.pointer} opens`);
});

t.test('a field named twice is sealed once, and nothing is sealed inside a sealed field', async (t) => {
  const twice = sealFields(document(), ['/payload/person/name', '/payload/person/name'], salt);
  t.same(
    twice.openings.map((opening) => opening.pointer),
    ['/payload/person/name'],
  );
  const enclosing = sealFields(document(), ['/payload/person', '/payload/person/name'], salt);
  t.same(
    enclosing.openings.map((opening) => [opening.pointer, opening.value]),
    [['/payload/person', { subject: 'p-1', name: 'Zhao Min' }]],
  );
  const inner = sealFields(document(), ['/payload/person/name', '/payload/person'], salt);
  t.same(
    inner.openings.map((opening) => opening.pointer),
    ['/payload/person/name', '/payload/person'],
    'a field sealed within is sealed again as part of its enclosing field',
  );
  t.same(((inner.openings[1] as (typeof inner.openings)[number]).value as { name: unknown }).name, {
    $sealed: commitment('Zhao Min', salt()).toString('hex'),
  });
});

t.test('a document without the named fields is returned as it is', async (t) => {
  const original = document();
  const { sealed, openings } = sealFields(original, ['/payload/missing', '/actor/name'], salt);
  t.equal(sealed, original);
  t.same(openings, []);
});

t.test('a pattern without "*" names its field by the escaped pointer, as a pattern with "*" does', async (t) => {
  const original = { payload: { 'a/b': { 'c~d': 'secret', list: ['x'] }, array: ['y'] } };
  const exact = sealFields(original, ['/payload/a~1b/c~0d'], salt);
  const wildcard = sealFields({ payload: { 'a/b': [original.payload['a/b']] } }, ['/payload/a~1b/*/c~0d'], salt);
  t.same(
    exact.openings.map((opening) => [opening.pointer, opening.value]),
    [['/payload/a~1b/c~0d', 'secret']],
  );
  t.same(
    wildcard.openings.map((opening) => opening.pointer),
    ['/payload/a~1b/0/c~0d'],
  );
  t.ok(checkOpening(exact.sealed, exact.openings[0] as (typeof exact.openings)[number]));
  t.same(sealFields(original, ['/payload/array/0'], salt).openings, [], 'an array element is named only through "*"');
  t.same(sealFields(original, ['/payload/a~1b/c~0d/deeper'], salt).openings, [], 'nothing below a string');
});
