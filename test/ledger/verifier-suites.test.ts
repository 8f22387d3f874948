/**
 * The offline verifier takes a log's suite from its entry 0: a `ledger.created` entry names it, any
 * other entry 0 makes a `c2sp` log. A caller that knows the suite it expects is told when entry 0
 * says another.
 */
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { signCheckpoint } from '../../src/ledger/checkpoint.js';
import { encodeEntry } from '../../src/ledger/entry.js';
import { verifierKeyFor } from '../../src/ledger/note.js';
import { TreeFrontier } from '../../src/ledger/tree.js';
import { C2SP_TREE_HASH, LEDGER_CREATED, SHANGMI_TREE_HASH, suiteRecord, type TreeHash } from '../../src/ledger/tree-hash.js';
import { LogVerifier } from '../../src/ledger/verifier.js';

const ORIGIN = 'footage-warden.test/suites';
const actor = { unit: null, subject: null };

/** A log as the appender writes one: `ledger.created` (when given), then the key, then an entry. */
function log(hasher: TreeHash, created?: Readonly<Record<string, unknown>>) {
  const key =
    hasher.suite === 'shangmi'
      ? generateKeyPairSync('ec', { namedCurve: 'SM2' }).privateKey
      : generateKeyPairSync('ed25519').privateKey;
  const verifierKey = verifierKeyFor(ORIGIN, key);
  const entries: Buffer[] = [];
  const frontier = new TreeFrontier(hasher);
  let prev: Buffer | undefined;
  const drafts = [
    ...(created === undefined ? [] : [{ kind: LEDGER_CREATED, payload: created }]),
    { kind: 'key.rotated', payload: { key: verifierKey.text, previous: null } },
    { kind: 'test.entry', payload: { n: 1 } },
  ];
  for (const [seq, draft] of drafts.entries()) {
    const encoded = encodeEntry({ ...draft, actor, time: '2026-11-30T10:00:00.000Z' }, seq, prev, hasher);
    entries.push(encoded.bytes);
    frontier.append(encoded.leaf);
    prev = encoded.leaf;
  }
  const note = signCheckpoint({ origin: ORIGIN, size: entries.length, root: frontier.root() }, key);
  return { entries, note, key: verifierKey };
}

function verify(built: ReturnType<typeof log>, hasher?: TreeHash) {
  const verifier = new LogVerifier({
    origin: ORIGIN,
    trustedKeys: [built.key],
    checkNodes: false,
    ...(hasher === undefined ? {} : { hasher }),
  });
  for (const [seq, bytes] of built.entries.entries()) verifier.entry(seq, bytes);
  verifier.queueCheckpoint(built.note);
  return verifier.finish(built.entries.length);
}

t.test('entry 0 decides the suite, and a suite the caller expects is held to it', async (t) => {
  const shangmi = log(SHANGMI_TREE_HASH, suiteRecord('shangmi'));
  t.match(verify(shangmi), { ok: true }, 'an SM3 log with an SM2 key verifies');
  t.match(verify(shangmi, SHANGMI_TREE_HASH), { ok: true });
  t.match(
    verify(shangmi, C2SP_TREE_HASH),
    { ok: false, firstFailure: { seq: 0, check: 'suite' } },
    'expecting c2sp, entry 0 says shangmi',
  );

  const c2sp = log(C2SP_TREE_HASH);
  t.match(verify(c2sp), { ok: true }, 'a log whose entry 0 records no suite is c2sp');
  t.match(verify(c2sp, SHANGMI_TREE_HASH), { ok: false, firstFailure: { check: 'suite' } });

  const unknown = log(C2SP_TREE_HASH, { suite: 'sm9' });
  t.match(verify(unknown), { ok: false, firstFailure: { seq: 0, check: 'suite', actual: 'sm9' } }, 'an unknown suite fails');
});
