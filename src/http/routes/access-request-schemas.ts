/** JSON Schemas of the access-request routes' bodies (docs: openapi.yaml). */

import { ID_PATTERN } from '../../rules/registry.js';
import { EMERGENCY_NATURES, EMERGENCY_RELATIONSHIPS } from '../../workflows/access-request-submission.js';
import { REQUEST_ACTIONS } from '../../workflows/access-requests.js';

const TIME = { type: 'string', format: 'date-time' } as const;
export const TEXT = { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S' } as const;
export const SHORT = { type: 'string', minLength: 1, maxLength: 128, pattern: '\\S' } as const;
export const UUID = { type: 'string', format: 'uuid' } as const;

export const SCOPE = {
  type: 'object',
  additionalProperties: false,
  required: ['camera_ids', 'window', 'actions'],
  properties: {
    camera_ids: { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: { type: 'string', pattern: ID_PATTERN } },
    window: { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: TIME, to: TIME } },
    actions: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...REQUEST_ACTIONS] } },
  },
} as const;

const STATE_ORGAN_SUBMISSION = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'target_unit', 'legal_basis', 'officers', 'scope', 'purpose', 'reason'],
  properties: {
    kind: { const: 'state_organ' },
    target_unit: { type: 'string', pattern: ID_PATTERN },
    legal_basis: {
      type: 'object',
      additionalProperties: false,
      required: ['statute', 'document_no', 'case_no', 'document_sha256'],
      properties: {
        statute: SHORT,
        document_no: SHORT,
        case_no: SHORT,
        document_sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      },
    },
    officers: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'badge_no'],
        properties: { name: SHORT, badge_no: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$' } },
      },
    },
    scope: SCOPE,
    purpose: TEXT,
    reason: TEXT,
    expiry_hours: { type: 'integer', minimum: 1, maximum: 8760 },
    legal_hold: { type: 'boolean' },
  },
} as const;

const EMERGENCY_SUBMISSION = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'target_unit', 'emergency', 'scope', 'reason'],
  properties: {
    kind: { const: 'emergency' },
    target_unit: { type: 'string', pattern: ID_PATTERN },
    emergency: {
      type: 'object',
      additionalProperties: false,
      required: ['nature', 'relationship', 'name', 'contact', 'description'],
      properties: {
        nature: { enum: [...EMERGENCY_NATURES] },
        relationship: { enum: [...EMERGENCY_RELATIONSHIPS] },
        name: SHORT,
        contact: SHORT,
        description: TEXT,
      },
    },
    scope: SCOPE,
    reason: TEXT,
    expiry_hours: { type: 'integer', minimum: 1, maximum: 72 },
  },
} as const;

/** One body schema per kind, chosen by `kind`, so errors name the fields of that kind. */
export const SUBMISSION = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { enum: ['state_organ', 'emergency'] } },
  allOf: [
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords.
    { if: { properties: { kind: { const: 'state_organ' } } }, then: STATE_ORGAN_SUBMISSION },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keywords.
    { if: { properties: { kind: { const: 'emergency' } } }, then: EMERGENCY_SUBMISSION },
  ],
} as const;
