/**
 * Legal holds for the video systems that must keep the footage (legal_hold:read): a gateway or VMS
 * asks, before deleting a camera's footage, which windows are held. The holds of the caller's unit
 * and of the units that entrusted it; `camera_id` and `active` narrow them.
 */
import type { FastifyInstance } from 'fastify';
import { listHolds } from '../../queries/access-requests.js';
import { ID_PATTERN } from '../../rules/registry.js';
import { actsFor } from '../../rules/unit-scope.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import { authorize } from '../authorize.js';
import { invalidField } from '../problem.js';

interface HoldQuery {
  camera_id?: string;
  active?: boolean;
  before?: string;
  limit: number;
}

/** The page cursor: the last item's placed_at and id. */
function cursorOf(text: string): { placedAt: string; id: string } {
  const [placedAt, id] = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (placedAt === undefined || id === undefined || Number.isNaN(Date.parse(placedAt))) {
    throw invalidField('querystring', '/before', 'is not a cursor of this list');
  }
  return { placedAt, id };
}

export async function legalHoldRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  app.get<{ Querystring: HoldQuery }>(
    '/v1/legal-holds',
    {
      preHandler: authorize('legal_hold', 'read'),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            camera_id: { type: 'string', pattern: ID_PATTERN },
            active: { type: 'boolean' },
            before: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
      },
    },
    async (request) => {
      const { camera_id, active, before, limit } = request.query;
      const snapshot = context.access.current;
      const unitIds = [...snapshot.units.keys()].filter((unit) => actsFor(snapshot, request.caller.unit, unit));
      const rows = await listHolds(context.db, {
        unitIds,
        limit: limit + 1,
        ...(camera_id === undefined ? {} : { cameraId: camera_id }),
        ...(active === undefined ? {} : { active }),
        ...(before === undefined ? {} : { before: cursorOf(before) }),
      });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((hold) => ({
          hold_id: hold.id,
          request_id: hold.requestId,
          unit_id: hold.unitId,
          camera_ids: hold.cameraIds,
          window: hold.window,
          placed_at: hold.placedAt,
          released_at: hold.releasedAt,
          active: hold.releasedAt === null,
        })),
        next:
          rows.length > limit && last !== undefined
            ? Buffer.from(`${last.placedAt}|${last.id}`, 'utf8').toString('base64url')
            : null,
      };
    },
  );
}
