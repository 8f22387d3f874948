/**
 * The change feed's API (docs/integrations/change-feed.md): a unit administrator's webhook
 * subscriptions for their own unit (webhook:manage), and GET /v1/events, the Server-Sent Events
 * stream of the caller's unit that the console's approval queue listens to.
 */
import type { FastifyInstance } from 'fastify';
import { concerns, eventBody, FEED_EVENT_TYPES, type FeedEvent } from '../../rules/feed-events.js';
import { ID_PATTERN } from '../../rules/registry.js';
import type { ServiceContext } from '../../workflows/service-context.js';
import {
  createSubscription,
  deactivate,
  deliveryStates,
  type SubscriptionRow,
  subscriptionsOf,
} from '../../workflows/webhook-subscriptions.js';
import { invalidField } from '../problem.js';

const HEARTBEAT_MS = 15_000;
const LAST_EVENT = /^ledger-(\d{1,15})-/;

function present(subscription: SubscriptionRow) {
  return {
    id: subscription.id,
    unit_id: subscription.unitId,
    url: subscription.url,
    events: subscription.eventTypes,
    created_by: subscription.createdBy,
    created_at: subscription.createdAt.toISOString(),
    active: subscription.active,
  };
}

function sse(event: FeedEvent): string {
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${eventBody(event)}\n\n`;
}

export async function changeFeedRoutes(app: FastifyInstance, context: ServiceContext): Promise<void> {
  const settings = {
    db: context.db,
    access: context.access,
    vault: context.vault,
    allowPlainHttp: context.feed.allowPlainHttp,
  };
  const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } };
  // Open event streams end when the service closes, or closing would wait for their clients.
  const streams = new Set<{ end(): void }>();
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.post<{ Body: { url: string; events: string[]; unit_id?: string } }>(
    '/v1/webhook-subscriptions',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['url', 'events'],
          properties: {
            url: { type: 'string', format: 'uri', maxLength: 2048, pattern: '^https?://' },
            events: { type: 'array', minItems: 1, maxItems: FEED_EVENT_TYPES.length, items: { enum: [...FEED_EVENT_TYPES] } },
            unit_id: { type: 'string', pattern: ID_PATTERN },
          },
        },
      },
    },
    async (request, reply) => {
      const { subscription, secret } = await createSubscription(settings, request.caller, request.body);
      return reply.code(201).send({ ...present(subscription), secret });
    },
  );

  app.get('/v1/webhook-subscriptions', async (request) => ({
    items: (await subscriptionsOf(settings, request.caller)).map(present),
  }));

  app.post<{ Params: { id: string } }>('/v1/webhook-subscriptions/:id/deactivate', { schema: { params } }, async (request) =>
    present(await deactivate(settings, request.caller, request.params.id)),
  );

  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/v1/webhook-subscriptions/:id/deliveries',
    {
      schema: {
        params,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        },
      },
    },
    async (request) => ({
      items: (await deliveryStates(settings, request.caller, request.params.id, request.query.limit)).map((state) => ({
        event_id: state.eventId,
        event_type: state.eventType,
        attempts: state.attempts,
        state: state.deliveredAt !== null ? 'delivered' : state.failedAt !== null ? 'failed' : 'pending',
        delivered_at: state.deliveredAt?.toISOString() ?? null,
        failed_at: state.failedAt?.toISOString() ?? null,
        next_attempt_at: state.deliveredAt === null && state.failedAt === null ? state.nextAttemptAt.toISOString() : null,
        last_status: state.lastStatus,
        last_error: state.lastError,
      })),
    }),
  );

  app.get<{ Querystring: { types?: string } }>(
    '/v1/events',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { types: { type: 'string', maxLength: 1000, pattern: '^[a-z_.,]+$' } },
        },
      },
    },
    async (request, reply) => {
      const types = request.query.types === undefined ? [...FEED_EVENT_TYPES] : request.query.types.split(',');
      for (const type of types) {
        if (!(FEED_EVENT_TYPES as readonly string[]).includes(type)) {
          throw invalidField('querystring', '/types', `${type} is not an event type`);
        }
      }
      const unit = request.caller.unit;
      const lastEventId = request.headers['last-event-id'];
      const resumeFrom = typeof lastEventId === 'string' ? LAST_EVENT.exec(lastEventId)?.[1] : undefined;
      const backlog = resumeFrom === undefined ? [] : await context.feed.changes.replay(Number(resumeFrom));
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      out.write(`retry: 3000\n: events of unit ${unit}\n\n`);
      const send = (event: FeedEvent) => {
        if (concerns(event, unit, types)) out.write(sse(event));
      };
      for (const event of backlog) send(event);
      const stop = context.feed.changes.listen(send);
      const heartbeat = setInterval(() => out.write(': keep-alive\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      streams.add(out);
      request.raw.on('close', () => {
        stop();
        clearInterval(heartbeat);
        streams.delete(out);
      });
    },
  );
}
