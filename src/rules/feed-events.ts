/**
 * The change feed's events (docs/integrations/change-feed.md): what integrations and the console
 * are told about requests, grants, holds, transfers and the ledger's integrity, derived from the
 * ledger's entries. An event names the units it concerns (a subscription of one of them receives
 * it) and carries identifiers and states only: personal values stay sealed in the ledger.
 * Pure: the workflow reads the entries and the units of the requests and transfers they name.
 */

export const FEED_EVENT_TYPES = [
  'request.submitted',
  'request.approval_recorded',
  'request.approved',
  'request.rejected',
  'request.withdrawn',
  'grant.issued',
  'grant.revoked',
  'grant.expiring',
  'hold.placed',
  'hold.released',
  'transfer.registered',
  'transfer.acknowledged',
  'ledger.integrity_halted',
] as const;

export type FeedEventType = (typeof FEED_EVENT_TYPES)[number];

/** Every unit: an event of the whole service (the ledger's integrity). */
export const ALL_UNITS = '*';

export interface FeedEvent {
  /** Stable across retries and replicas: the receiver's deduplication key. */
  readonly id: string;
  readonly type: FeedEventType;
  /** The ledger entry it comes from; null for events that are not entries. */
  readonly seq: number | null;
  readonly occurredAt: string;
  readonly units: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
}

/** A ledger entry of a kind the feed reads. */
export interface FeedEntry {
  readonly seq: number;
  readonly time: string;
  readonly kind: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Units of the requests and transfers the entries name, read by the workflow. */
export interface FeedLookups {
  readonly requests: ReadonlyMap<string, { readonly targetUnit: string; readonly requesterUnit: string }>;
  readonly transfers: ReadonlyMap<string, { readonly unitId: string; readonly recipientUnitId: string | null }>;
}

/** The entry kinds the feed reads. */
export const FEED_ENTRY_KINDS = [
  'access_request.submitted',
  'access_request.approved',
  'access_request.rejected',
  'access_request.withdrawn',
  'grant.revoked',
  'legal_hold.released',
  'transfer.registered',
  'transfer.acknowledged',
] as const;

type Payload = Readonly<Record<string, unknown>>;

function text(payload: Payload, key: string): string | undefined {
  const value = payload[key];
  return typeof value === 'string' ? value : undefined;
}

function object(payload: Payload, key: string): Payload | undefined {
  const value = payload[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Payload) : undefined;
}

function units(...ids: (string | null | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

/** The request ids and transfer ids `entries` name, for the workflow to look up. */
export function referencesOf(entries: readonly FeedEntry[]): { requestIds: string[]; transferIds: string[] } {
  const requestIds = new Set<string>();
  const transferIds = new Set<string>();
  for (const entry of entries) {
    const request = text(entry.payload, 'request_id');
    if (request !== undefined) requestIds.add(request);
    if (entry.kind === 'transfer.acknowledged') {
      const transfer = text(entry.payload, 'transfer_id');
      if (transfer !== undefined) transferIds.add(transfer);
    }
  }
  return { requestIds: [...requestIds], transferIds: [...transferIds] };
}

export function feedEventsOf(entry: FeedEntry, lookups: FeedLookups): FeedEvent[] {
  const { payload } = entry;
  const event = (type: FeedEventType, concerned: string[], data: Payload): FeedEvent => ({
    id: `ledger-${entry.seq}-${type}`,
    type,
    seq: entry.seq,
    occurredAt: entry.time,
    units: concerned,
    data,
  });
  const requestId = text(payload, 'request_id');
  const request = requestId === undefined ? undefined : lookups.requests.get(requestId);
  const requestUnits = units(request?.targetUnit, request?.requesterUnit);
  switch (entry.kind) {
    case 'access_request.submitted': {
      const scope = object(payload, 'scope') ?? {};
      const target = text(payload, 'target_unit');
      const requester = text(object(payload, 'requester') ?? {}, 'unit');
      return [
        event('request.submitted', units(target, requester), {
          request_id: requestId,
          request_kind: text(payload, 'request_kind'),
          target_unit: target,
          requester_unit: requester,
          camera_ids: scope.camera_ids,
          window: scope.window,
          actions: scope.actions,
        }),
      ];
    }
    case 'access_request.approved': {
      const status = text(payload, 'status');
      const state = { request_id: requestId, status, approvals: payload.approvals, approvals_needed: payload.approvals_needed };
      const events = [event(status === 'approved' ? 'request.approved' : 'request.approval_recorded', requestUnits, state)];
      const grant = object(payload, 'grant');
      if (grant !== undefined) {
        events.push(
          event('grant.issued', requestUnits, {
            grant_id: grant.grant_id,
            request_id: requestId,
            grantee: grant.grantee,
            camera_ids: grant.camera_ids,
            window: grant.window,
            actions: grant.actions,
            valid_until: grant.valid_until,
          }),
        );
      }
      const hold = object(payload, 'legal_hold');
      if (hold !== undefined) {
        events.push(
          event('hold.placed', requestUnits, {
            hold_id: hold.hold_id,
            request_id: requestId,
            camera_ids: hold.camera_ids,
            window: hold.window,
          }),
        );
      }
      return events;
    }
    case 'access_request.rejected':
      return [event('request.rejected', requestUnits, { request_id: requestId, status: text(payload, 'status') })];
    case 'access_request.withdrawn':
      return [event('request.withdrawn', requestUnits, { request_id: requestId, status: text(payload, 'status') })];
    case 'grant.revoked':
      return [
        event('grant.revoked', requestUnits, {
          grant_id: payload.grant_id,
          request_id: requestId,
          revoked_at: payload.revoked_at,
        }),
      ];
    case 'legal_hold.released':
      return [
        event('hold.released', requestUnits, {
          hold_id: payload.hold_id,
          request_id: requestId,
          released_at: payload.released_at,
        }),
      ];
    case 'transfer.registered': {
      const from = text(object(payload, 'transferring') ?? {}, 'unit_id');
      const to = text(object(payload, 'recipient') ?? {}, 'unit_id');
      return [
        event('transfer.registered', units(from, to), {
          transfer_id: payload.transfer_id,
          decision_id: payload.decision_id,
          camera_id: payload.camera_id,
          unit_id: from,
          recipient_unit_id: to ?? null,
        }),
      ];
    }
    case 'transfer.acknowledged': {
      const transfer = lookups.transfers.get(text(payload, 'transfer_id') ?? '');
      return [
        event('transfer.acknowledged', units(transfer?.unitId, transfer?.recipientUnitId), {
          transfer_id: payload.transfer_id,
          camera_id: payload.camera_id,
          matches: payload.matches,
        }),
      ];
    }
    default:
      return [];
  }
}

/** A grant whose end is near: announced once, to the units of its request. */
export function grantExpiringEvent(
  grant: { readonly id: string; readonly requestId: string; readonly validUntil: string },
  concerned: readonly string[],
  now: Date,
): FeedEvent {
  return {
    id: `grant-expiring-${grant.id}`,
    type: 'grant.expiring',
    seq: null,
    occurredAt: now.toISOString(),
    units: [...concerned],
    data: { grant_id: grant.id, request_id: grant.requestId, valid_until: grant.validUntil },
  };
}

/** The ledger halted on a contradiction of its history: every unit is told. */
export function integrityHaltedEvent(finding: { readonly check: string; readonly reference: string }, at: Date): FeedEvent {
  return {
    id: `integrity-${at.getTime()}`,
    type: 'ledger.integrity_halted',
    seq: null,
    occurredAt: at.toISOString(),
    units: [ALL_UNITS],
    data: { check: finding.check, reference: finding.reference },
  };
}

/** The JSON body a webhook delivery and a Server-Sent Event carry for `event`. */
export function eventBody(event: FeedEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    occurred_at: event.occurredAt,
    seq: event.seq,
    units: event.units,
    data: event.data,
  });
}

/** Whether a subscriber of `unit` asking for `types` receives `event`. */
export function concerns(event: FeedEvent, unit: string, types: readonly string[]): boolean {
  return types.includes(event.type) && (event.units.includes(unit) || event.units.includes(ALL_UNITS));
}
