import { webcrypto } from 'node:crypto';
import t from 'tap';
import { concerns, eventBody, type FeedLookups, feedEventsOf, referencesOf } from '../../src/rules/feed-events.js';
import { verifyWebhook, webhookSignature } from '../../src/rules/webhook-signature.js';

const lookups: FeedLookups = {
  requests: new Map([['r1', { targetUnit: 'psb', requesterUnit: 'procuratorate' }]]),
  transfers: new Map([['t1', { unitId: 'psb', recipientUnitId: 'metro' }]]),
};
const entry = (seq: number, kind: string, payload: Record<string, unknown>) => ({
  seq,
  time: '2026-11-30T10:00:00.000Z',
  kind,
  payload,
});

t.test('entries become events naming the units concerned, with identifiers only', async (t) => {
  const approved = feedEventsOf(
    entry(7, 'access_request.approved', {
      request_id: 'r1',
      status: 'approved',
      approvals: 2,
      approvals_needed: 2,
      reason: { $sealed: 'ab' },
      grant: { grant_id: 'g1', grantee: 'pr-zhou', camera_ids: ['c1'], window: null, actions: ['playback'], valid_until: 'x' },
      legal_hold: { hold_id: 'h1', camera_ids: ['c1'], window: null },
    }),
    lookups,
  );
  t.same(
    approved.map((event) => [event.id, event.type]),
    [
      ['ledger-7-request.approved', 'request.approved'],
      ['ledger-7-grant.issued', 'grant.issued'],
      ['ledger-7-hold.placed', 'hold.placed'],
    ],
  );
  t.ok(approved.every((event) => event.units.join() === 'psb,procuratorate'));
  t.notOk(JSON.stringify(approved).includes('$sealed'), 'sealed members are not copied');
  const partial = feedEventsOf(
    entry(8, 'access_request.approved', { request_id: 'r1', status: 'submitted', grant: null }),
    lookups,
  );
  t.same(
    partial.map((event) => event.type),
    ['request.approval_recorded'],
    'a first of two approvals',
  );
  const acknowledged = feedEventsOf(entry(9, 'transfer.acknowledged', { transfer_id: 't1', matches: false }), lookups);
  t.same(acknowledged[0]?.units, ['psb', 'metro']);
  t.same(feedEventsOf(entry(10, 'decision.made', {}), lookups), [], 'decisions are not in the feed');
  t.same(
    referencesOf([entry(1, 'grant.revoked', { request_id: 'r9' }), entry(2, 'transfer.acknowledged', { transfer_id: 't9' })]),
    {
      requestIds: ['r9'],
      transferIds: ['t9'],
    },
  );
  const [event] = acknowledged;
  if (event === undefined) throw new Error('no event');
  t.ok(concerns(event, 'metro', ['transfer.acknowledged']));
  t.notOk(concerns(event, 'harbour', ['transfer.acknowledged']), 'another unit');
  t.notOk(concerns(event, 'metro', ['transfer.registered']), 'another type');
  t.match(JSON.parse(eventBody(event)), { id: 'ledger-9-transfer.acknowledged', type: 'transfer.acknowledged', seq: 9 });
});

t.test('the signature is HMAC-SHA256 over "<timestamp>.<body>", checked against an independent HMAC', async (t) => {
  const secret = 'whsec-test';
  const body = '{"id":"ledger-1-request.submitted"}';
  const key = await webcrypto.subtle.importKey('raw', Buffer.from(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = Buffer.from(await webcrypto.subtle.sign('HMAC', key, Buffer.from(`1764496800.${body}`))).toString('hex');
  t.equal(webhookSignature(secret, 1764496800, body), `v1=${mac}`);
  const now = new Date(1764496800 * 1000 + 60_000);
  t.ok(verifyWebhook(secret, 1764496800, body, `v1=${mac}`, now));
  t.notOk(verifyWebhook(secret, 1764496800, `${body} `, `v1=${mac}`, now), 'another body');
  t.notOk(verifyWebhook('other', 1764496800, body, `v1=${mac}`, now), 'another secret');
  t.notOk(verifyWebhook(secret, 1764496800, body, `v1=${mac}`, new Date(1764496800 * 1000 + 600_000)), 'too old: a replay');
});
