/**
 * The events trusted systems (the gateway role) record through POST /v1/ledger/events: what the
 * service does not decide itself (Articles 16 and 22). Each kind has its own payload schema.
 */
const ID = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' } as const;
const WINDOW = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to'],
  properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
} as const;

/** Payload schemas of the event kinds a gateway may record (Articles 16 and 22). */
export const EVENT_KINDS = {
  'playback.started': {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'session_id'],
    properties: { camera_id: ID, session_id: ID, decision_id: ID, window: WINDOW },
  },
  'playback.stopped': {
    type: 'object',
    additionalProperties: false,
    required: ['camera_id', 'session_id'],
    properties: { camera_id: ID, session_id: ID, decision_id: ID, bytes_served: { type: 'integer', minimum: 0 } },
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
