/**
 * Headers on every answer: `X-Content-Type-Options: nosniff`, so a browser never reads a JSON or
 * problem body (which may hold personal data) as anything else, and `Cache-Control: no-store`, so
 * no shared or browser cache keeps an answer, unless a route states its own caching (the console's
 * static files).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

async function responseHeadersPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}

export const responseHeaders = fp(responseHeadersPlugin, { name: 'response-headers' });
