import type { Tracer, TracerProvider } from '@opentelemetry/api';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';

/**
 * What Session Relay offers other extensions (the `activate` return value): a TracerProvider whose
 * spans go straight into the pipeline, so a chat participant can emit GenAI spans
 * (`invoke_agent`, `chat`, `execute_tool`) without running an OTLP exporter of its own.
 */
export interface SessionRelayApi {
  readonly version: 1;
  readonly tracerProvider: TracerProvider;
  getTracer(name: string, version?: string): Tracer;
}

export function createRelayApi(processor: SpanProcessor, producerVersion: string): SessionRelayApi & { shutdown(): Promise<void> } {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'session-relay-api', 'service.version': producerVersion }),
    spanProcessors: [processor],
  });
  return {
    version: 1,
    tracerProvider: provider,
    getTracer: (name, version) => provider.getTracer(name, version),
    shutdown: () => provider.shutdown(),
  };
}
