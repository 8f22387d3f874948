/**
 * Per request: a span, one log line (request id, route template, status, latency) and the HTTP
 * metrics. The raw URL, headers and body are never logged: a query string or header can carry a
 * token or personal data.
 */
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from '../observability/metrics.js';
import { tracer } from '../observability/tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    span: Span | undefined;
  }
}

function routeOf(request: FastifyRequest): string {
  return request.is404 ? '(unknown)' : (request.routeOptions.url ?? '(unknown)');
}

async function requestContextPlugin(app: FastifyInstance, options: { metrics: Metrics }): Promise<void> {
  app.decorateRequest('span', undefined);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    request.span = tracer().startSpan(`${request.method} ${routeOf(request)}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'http.route': routeOf(request), 'request.id': request.id },
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    const labels = { method: request.method, route, status: String(status) };
    options.metrics.httpRequests.inc(labels);
    options.metrics.httpDuration.observe(labels, seconds);
    request.span?.setAttribute('http.response.status_code', status);
    if (status >= 500) request.span?.setStatus({ code: SpanStatusCode.ERROR });
    request.span?.end();
    request.log.info({ method: request.method, route, status, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
  });
}

export const requestContext = fp(requestContextPlugin, { name: 'request-context' });
