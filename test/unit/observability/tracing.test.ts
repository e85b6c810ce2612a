import { describe, expect, it } from '@jest/globals';
import { context } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../../src/composition/tracing';
import { currentTraceId, extractContext, injectContext, inSpan, isTracing } from '../../../src/observability/tracing';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('tracing helpers', () => {
  it('with no SDK registered: work runs with a non-recording span, nothing is propagated or logged', async () => {
    expect(isTracing()).toBe(false);
    const headers: Record<string, string> = {};

    const result = await inSpan('anything', {}, (span) => {
      injectContext(headers);
      return Promise.resolve({ recording: span.isRecording(), traceId: currentTraceId() });
    });

    expect(result).toEqual({ recording: false, traceId: undefined });
    expect(headers).toEqual({});
    expect(startTracing({ url: undefined, headers: {}, serviceName: 'x', sampler: 'always_on', ratio: 1 })).toBe(
      undefined,
    );
  });

  it('with the SDK: spans nest, an error marks its span with its code only, and shutdown turns it all off', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing(
      { url: undefined, headers: {}, serviceName: 'x', sampler: 'parentbased_always_on', ratio: 1 },
      { exporter },
    )!;
    const failure = Object.assign(new Error('user_12345 said no'), { code: 'COBALT_UNAVAILABLE' });
    const headers: Record<string, string> = {};

    const seen = await inSpan('outer', {}, () =>
      inSpan('inner', {}, async () => {
        injectContext(headers);
        await inSpan('failing', {}, () => Promise.reject(failure)).catch(() => undefined);
        return currentTraceId();
      }),
    );
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans();
    await tracing.shutdown();

    const byName = Object.fromEntries(spans.map((span) => [span.name, span]));
    expect(seen).toBe(byName['outer']!.spanContext().traceId);
    expect(byName['inner']!.parentSpanContext?.spanId).toBe(byName['outer']!.spanContext().spanId);
    expect(headers['traceparent']).toBe(`00-${seen}-${byName['inner']!.spanContext().spanId}-01`);
    expect(byName['failing']!.attributes).toEqual({ 'error.type': 'COBALT_UNAVAILABLE' });
    expect(byName['failing']!.status.code).toBe(2);
    expect(JSON.stringify(spans.map((span) => [span.attributes, span.events]))).not.toContain('user_12345');
    expect(isTracing()).toBe(false);
  });

  it('continues an incoming traceparent when the SDK is on', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing(
      { url: undefined, headers: {}, serviceName: 'x', sampler: 'parentbased_always_on', ratio: 1 },
      { exporter },
    )!;
    const parent = extractContext({ traceparent: TRACEPARENT });

    const traceId = await context.with(parent, () => inSpan('child', {}, () => Promise.resolve(currentTraceId())));
    await tracing.shutdown();

    expect(traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });
});
