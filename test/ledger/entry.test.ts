import t from 'tap';
import { decodeEntry, EntryError, encodeEntry } from '../../src/ledger/entry.js';
import { leafHash, ZERO_HASH_HEX } from '../../src/ledger/hashes.js';

const draft = {
  kind: 'decision.made',
  time: '2026-11-29T08:00:00.000Z',
  actor: { unit: 'riverside-psb', subject: 'op-wang' },
  payload: { camera_id: 'cam-1', decision: 'allow' },
};

t.test('an encoded entry decodes to itself, its leaf is the hash of its bytes and prev chains it', async (t) => {
  const first = encodeEntry(draft, 0, undefined);
  t.equal(first.entry.prev, ZERO_HASH_HEX);
  const second = encodeEntry({ ...draft, payload: { n: 2 } }, 1, first.leaf);
  t.equal(second.entry.prev, first.leaf.toString('hex'));
  t.same(second.leaf, leafHash(second.bytes));
  t.same(decodeEntry(second.bytes), second.entry);
});

t.test('a draft the entry format does not allow is refused, whatever was encoded before it', async (t) => {
  encodeEntry(draft, 0, undefined);
  const refusals: [string, () => unknown, RegExp][] = [
    ['a time without milliseconds', () => encodeEntry({ ...draft, time: '2026-11-29T08:00:00Z' }, 1, undefined), /time/],
    ['a time in no month', () => encodeEntry({ ...draft, time: '2026-13-01T08:00:00.000Z' }, 1, undefined), /time/],
    ['a kind without a dot', () => encodeEntry({ ...draft, kind: 'decision' }, 1, undefined), /kind/],
    [
      'an actor unit that is a number',
      () => encodeEntry({ ...draft, actor: { unit: 7, subject: null } as never }, 1, undefined),
      /actor.unit/,
    ],
    ['a payload that is a list', () => encodeEntry({ ...draft, payload: [] as never }, 1, undefined), /payload/],
    ['a negative seq', () => encodeEntry(draft, -1, undefined), /seq/],
    ['a prev that is not 32 bytes', () => encodeEntry(draft, 1, Buffer.alloc(31)), /prev/],
  ];
  for (const [what, encode, message] of refusals) t.throws(encode, EntryError, what) && t.throws(encode, message, what);
});
