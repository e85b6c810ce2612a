import { context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config/load-config';
import { traceRedisCommands } from '../infra/redis/redis-tracing';
import { setSdkRegistered } from '../observability/tracing';

export interface Tracing {
  /** Exports every span ended so far; resolves once the exporter has answered. */
  forceFlush(): Promise<void>;
  /** Flushes, then puts the OpenTelemetry API back to its no-op state. */
  shutdown(): Promise<void>;
}

export interface TracingOverrides {
  /** Replaces the OTLP exporter (tests: the SDK's in-memory exporter). */
  readonly exporter?: SpanExporter;
}

function samplerFor(config: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.ratio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/**
 * Registers the OpenTelemetry SDK behind the API the rest of `src/` calls: spans batched to an
 * OTLP/HTTP endpoint, W3C trace context in and out (no baggage: it would forward whatever a caller put
 * in it to Cobalt), a span per Redis command. Undefined when tracing is off: the API then stays no-op.
 * Process-wide (the API's globals), so one gateway per process traces.
 */
export function startTracing(config: TracingConfig, overrides: TracingOverrides = {}): Tracing | undefined {
  if (config.url === undefined && overrides.exporter === undefined) return undefined;
  const headers = Object.fromEntries(Object.entries(config.headers).map(([name, value]) => [name, value.reveal()]));
  const exporter = overrides.exporter ?? new OTLPTraceExporter({ url: config.url, headers });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: samplerFor(config),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  setSdkRegistered(true);
  const stopRedis = traceRedisCommands();
  return {
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      stopRedis();
      setSdkRegistered(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
