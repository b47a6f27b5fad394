import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';

// a proxy until a tracer provider is registered (see worker/tracing.ts): free when tracing is off
const tracer = trace.getTracer('scenegate');

/**
 * Runs a Replicate call in a span of its own, under the activity's span, tagged with what it
 * touched (`replicate.prediction_id`, the paid call's key), so a trace shows each prediction.
 */
export function replicateSpan<T>(
  name: string,
  attributes: Record<string, string>,
  call: (span: Span) => Promise<T>
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await call(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
