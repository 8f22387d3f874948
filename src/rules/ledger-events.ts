/**
 * The events trusted systems (the gateway role) record through POST /v1/ledger/events: what the
 * service does not decide itself: deletions, playback sessions and maintenance. Each kind has its own payload schema.
 */
import type { AccessSnapshot } from './access-snapshot.js';
import { actsFor } from './unit-scope.js';

const ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' } as const;
const WINDOW = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
} as const;

/** Which kind of gateway served a playback session. */
const GATEWAY = { enum: ['nginx', 'mediamtx', 'zlmediakit', 'other'] } as const;

/** Payload schemas of the event kinds a gateway may record. */
export const EVENT_KINDS = {
  'playback.started': {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'session_id'],
    properties: { camera_id: ID, session_id: ID, decision_id: ID, window: WINDOW, gateway: GATEWAY },
  },
  'playback.stopped': {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'session_id'],
    properties: {
      camera_id: ID,
      session_id: ID,
      decision_id: ID,
      bytes_served: { type: 'integer', minimum: 0 },
      duration_seconds: { type: 'integer', minimum: 0 },
      gateway: GATEWAY,
    },
  },
  'footage.deleted': {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'window', 'cause'],
    properties: { camera_id: ID, window: WINDOW, cause: { enum: ['retention_expired', 'legal_hold_released'] } },
  },
  'equipment.maintained': {
    type: 'object',
    additionalProperties: false,
    required: ['work'],
    properties: {
      camera_id: ID,
      system_id: ID,
      work: { enum: ['inspection', 'repair', 'replacement', 'configuration', 'firmware_update'] },
      contractor_unit: ID,
    },
  },
} as const;

export type EventKind = keyof typeof EVENT_KINDS;

/**
 * Where an event's payload reaches past the units the reporting unit acts for (itself and the units
 * that entrusted it): a camera or system of another unit, or a contractor it does not act as. An
 * unknown camera or system is refused the same way, so a refusal does not tell whether it exists.
 */
export function eventScopeRefusal(
  snapshot: Pick<AccessSnapshot, 'units' | 'cameras' | 'systems'>,
  reporter: string,
  payload: Readonly<Record<string, unknown>>,
): { readonly path: string; readonly message: string } | undefined {
  const owners: string[] = [];
  if (typeof payload.camera_id === 'string') {
    const owner = snapshot.cameras.get(payload.camera_id)?.unit.id;
    if (owner === undefined || !actsFor(snapshot, reporter, owner)) {
      return { path: '/payload/camera_id', message: `is not a camera of a unit that ${reporter} acts for` };
    }
    owners.push(owner);
  }
  if (typeof payload.system_id === 'string') {
    const owner = snapshot.systems.get(payload.system_id)?.unit_id;
    if (owner === undefined || !actsFor(snapshot, reporter, owner)) {
      return { path: '/payload/system_id', message: `is not a system of a unit that ${reporter} acts for` };
    }
    owners.push(owner);
  }
  const contractor = payload.contractor_unit;
  if (typeof contractor === 'string' && contractor !== reporter) {
    // Another contractor may be named only by the unit it works for (which entrusted it).
    const entrusted = owners.length > 0 && owners.every((owner) => owner === reporter && actsFor(snapshot, contractor, owner));
    if (!entrusted) return { path: '/payload/contractor_unit', message: `is not ${reporter} or an operator it entrusted` };
  }
  return undefined;
}
