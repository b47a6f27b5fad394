import type { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';
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
 * to the OTLP collector the OTEL_* settings name; without one, tracing is off and none of the
 * OpenTelemetry SDK is loaded.
 */
export async function startTracing(
  settings: Pick<Settings, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_SERVICE_NAME'>
): Promise<Tracing | undefined> {
  if (!settings.OTEL_EXPORTER_OTLP_ENDPOINT && !settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  const [{ OTLPTraceExporter }, { Resource }, { BatchSpanProcessor }, { NodeTracerProvider }, { OpenTelemetryPlugin }] =
    await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/sdk-trace-node'),
      import('@temporalio/interceptors-opentelemetry'),
    ]);
  const resource = new Resource({ 'service.name': settings.OTEL_SERVICE_NAME });
  // the exporter reads the endpoint from the OTEL_* variables itself
  const processor = new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [processor] });
  provider.register();
  return {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor: processor }),
    shutdown: () => provider.shutdown(),
  };
}
