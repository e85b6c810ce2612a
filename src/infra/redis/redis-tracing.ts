import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { activeSpan, markFailed, SpanKind, startSpan, type Span } from '../../observability/tracing';

/** What ioredis publishes on its `ioredis:command` tracing channel (the fields read here). */
interface CommandMessage {
  readonly command?: unknown;
  span?: Span;
}

const START = 'tracing:ioredis:command:start';
const ASYNC_END = 'tracing:ioredis:command:asyncEnd';
const ERROR = 'tracing:ioredis:command:error';

/**
 * A client span per Redis command, from ioredis's own diagnostics channel: one hook covers every user
 * of the shared connections (token store, flights, rate limits, integrations cache) without wrapping
 * each call. ioredis publishes only while someone subscribes, so with tracing off this costs nothing.
 * Only the command's name is recorded: its arguments are cache keys and sealed tokens. A command
 * outside any traced request (a subscriber's reconnect, a background refresh) starts no trace.
 */
export function traceRedisCommands(): () => void {
  const onStart = (message: unknown) => {
    const command = message as CommandMessage;
    if (activeSpan()?.isRecording() !== true || typeof command.command !== 'string') return;
    const name = command.command.toUpperCase();
    command.span = startSpan(`redis ${name}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'redis', 'db.operation.name': name },
    });
  };
  const onError = (message: unknown) => {
    const command = message as CommandMessage & { error?: unknown };
    if (command.span !== undefined) markFailed(command.span, errorName(command.error));
  };
  const onEnd = (message: unknown) => {
    (message as CommandMessage).span?.end();
  };
  subscribe(START, onStart);
  subscribe(ERROR, onError);
  subscribe(ASYNC_END, onEnd);
  return () => {
    unsubscribe(START, onStart);
    unsubscribe(ERROR, onError);
    unsubscribe(ASYNC_END, onEnd);
  };
}

// Redis replies such as "NOSCRIPT ..." start with their kind; the rest may quote a key.
function errorName(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const word = /^[A-Z]+\b/.exec(error.message)?.[0];
  return word ?? error.name;
}
