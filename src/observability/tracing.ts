/**
 * Tracing through @opentelemetry/api only: without an SDK registered by the operator every span is a
 * no-op. README shows how to attach an OTLP exporter.
 */
import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

export const TRACER_NAME = 'footage-warden';

export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Runs `work` inside an active span; the span records a thrown error and always ends. */
export async function withSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
