import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
import type { Settings } from '../common/settings';

/** Tracing, when it is on: the plugin for the worker (and clients) and how to flush at the end. */
export interface Tracing {
  plugin: OpenTelemetryPlugin;
  shutdown(): Promise<void>;
}

/**
 * Traces a generation, its activities and their Replicate calls as one trace: Temporal's
 * OpenTelemetry plugin for workflows and activities, and this process's tracer (registered
 * globally, with async context) for the spans activities add around Replicate calls. Spans go
 * to the OTLP collector the OTEL_* settings name; without one, tracing is off.
 */
export function startTracing(
  settings: Pick<Settings, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SERVICE_NAME'>,
  spanProcessor?: SpanProcessor
): Tracing | undefined {
  const configured = settings.OTEL_EXPORTER_OTLP_ENDPOINT ?? settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!configured && !spanProcessor) return undefined;
  const resource = new Resource({ 'service.name': settings.OTEL_SERVICE_NAME });
  // the exporter reads the endpoint from the OTEL_* variables itself
  const processor = spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  return {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor: processor }),
    shutdown: () => provider.shutdown(),
  };
}
