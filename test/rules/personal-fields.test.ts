import { readFile } from 'node:fs/promises';
import t from 'tap';
import { checkOpening, commitment } from '../../src/ledger/sealing.js';
import { PERSONAL_FIELDS_FILE } from '../../src/recorder.js';
import { entryKinds } from '../../src/rules/entry-kinds.js';
import { ClassificationError, parseClassification, personalFieldsOf, sealDraft } from '../../src/rules/personal-fields.js';

t.test('every entry kind the service writes is classified in policies/personal-fields.yaml', async (t) => {
  const classification = parseClassification(await readFile(PERSONAL_FIELDS_FILE, 'utf8'));
  for (const kind of entryKinds()) t.ok(personalFieldsOf(classification, kind), `${kind} is classified`);
  t.same(personalFieldsOf(classification, 'no.such_kind'), undefined);
});

const CLASSIFICATION = parseClassification(`
all:
  - { field: /actor/name, subject: /actor/subject }
kinds:
  request.submitted:
    - { field: /payload/officers/*/name, subject: /payload/officers/*/badge_no }
    - { field: /payload/reason, subject: /payload/requester }
  plain.kind: []
`);

t.test('sealing replaces each personal value by its commitment and names its data subject', async (t) => {
  const salt = Buffer.alloc(32, 1);
  const draft = {
    kind: 'request.submitted',
    actor: { unit: 'police-3', subject: 'officer-17', name: 'Li Lei' },
    payload: {
      officers: [
        { name: 'Zhao Min', badge_no: 'B-1' },
        { name: 'Qian Yu', badge_no: 'B-2' },
      ],
      reason: 'theft at the market',
      requester: 'officer-17',
      camera_id: 'cam-3',
    },
  };
  const { draft: sealed, openings } = sealDraft(draft, CLASSIFICATION, () => salt);
  t.same(
    openings.map((opening) => [opening.pointer, opening.subjectId]),
    [
      ['/actor/name', 'officer-17'],
      ['/payload/officers/0/name', 'B-1'],
      ['/payload/officers/1/name', 'B-2'],
      ['/payload/reason', 'officer-17'],
    ],
  );
  t.same(sealed.actor.name, { $sealed: commitment('Li Lei', salt).toString('hex') });
  t.equal(sealed.payload.camera_id, 'cam-3', 'public fields stay');
  t.notOk(JSON.stringify(sealed).includes('Zhao Min') || JSON.stringify(sealed).includes('theft'), 'no personal value is left');
  for (const opening of openings) t.ok(checkOpening(sealed, opening), `${opening.pointer} opens its commitment`);
  t.notOk(checkOpening(sealed, { ...(openings[0] as (typeof openings)[0]), value: 'Li Lei ' }), 'another value does not');
  t.equal(draft.actor.name, 'Li Lei', 'the draft itself is not changed');
});

t.test('an unclassified kind, or a personal value without its subject, is refused', async (t) => {
  t.throws(
    () => sealDraft({ kind: 'mystery.kind', actor: { unit: 'u', subject: 's' }, payload: {} }, CLASSIFICATION),
    ClassificationError,
  );
  t.throws(
    () => sealDraft({ kind: 'plain.kind', actor: { unit: 'u', subject: null, name: 'Anon' }, payload: {} }, CLASSIFICATION),
    /has no data subject/,
  );
  t.same(sealDraft({ kind: 'plain.kind', actor: { unit: 'u', subject: 's' }, payload: {} }, CLASSIFICATION).openings, []);
  t.throws(() => parseClassification('kinds: { a: [ { field: nope } ] }'), ClassificationError);
  t.throws(() => parseClassification('[]'), ClassificationError);
});
