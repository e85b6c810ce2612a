import {
  context,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  propagation,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanKind,
} from '@opentelemetry/api';

export { SpanKind, type Span } from '@opentelemetry/api';

/**
 * The gateway's spans, through the OpenTelemetry API only: until `main` registers an SDK, every call
 * here reaches the API's no-op implementation (no context manager, no propagator, non-recording
 * spans), so a gateway with tracing off pays a few function calls per span and builds no attributes.
 */
const tracer = trace.getTracer('cobalt-gateway');

// The API's no-op still allocates a span and a context per call (about 0.3 µs a span, measured by
// bench/tracing-overhead.ts): with no SDK behind it, `inSpan` skips even that.
let sdkRegistered = false;
const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** False until the composition root registers the SDK: there is nothing to trace or propagate. */
export function isTracing(): boolean {
  return sdkRegistered;
}

/** Told by the composition root when it registers (or removes) the SDK behind the API. */
export function setSdkRegistered(registered: boolean): void {
  sdkRegistered = registered;
}

export interface SpanOptions {
  readonly kind?: SpanKind;
  /** Only for attributes that cost nothing to build; the rest go through `span.isRecording()`. */
  readonly attributes?: Attributes;
}

/**
 * Runs `work` inside a new active span (a child of whatever span is active), ends it when `work`
 * settles, and marks it failed when `work` throws. Only the error's code or type name is recorded,
 * never its message or stack: those may quote what a caller sent.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  if (!sdkRegistered) return work(NOOP_SPAN);
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      if (span.isRecording()) markFailed(span, errorType(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Starts a span that is not made active (for callbacks that end it elsewhere). */
export function startSpan(name: string, options: SpanOptions, parent: Context = context.active()): Span {
  return tracer.startSpan(name, options, parent);
}

export function markFailed(span: Span, type: string): void {
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** Sets an attribute on the active span, if it records: for code that learns a span's outcome deep inside it. */
export function annotateActiveSpan(key: string, value: string | number | boolean): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording() === true) span.setAttribute(key, value);
}

/** The active trace's id for log lines, or undefined when no trace is active (always, with tracing off). */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** The context an incoming request's `traceparent` (and `tracestate`) names; the active one when none. */
export function extractContext(headers: Readonly<Record<string, string | string[] | undefined>>): Context {
  return propagation.extract(context.active(), headers);
}

/** Adds `traceparent` (and `tracestate`) for the active span to outgoing headers. */
export function injectContext(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

/** Runs `fn` with `span` active under `parent`. */
export function withActiveSpan<T>(parent: Context, span: Span, fn: () => T): T {
  return context.with(trace.setSpan(parent, span), fn);
}

/** A `GatewayError`'s code, a Cobalt failure's kind, or the error's class name. */
function errorType(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const failure = (error as { failure?: { kind?: unknown } }).failure;
    if (typeof failure?.kind === 'string') return `cobalt.${failure.kind}`;
  }
  return error instanceof Error ? error.name : 'unknown';
}

/** The active span (a non-recording one, or none, with tracing off). */
export function activeSpan(): Span | undefined {
  return trace.getActiveSpan();
}
