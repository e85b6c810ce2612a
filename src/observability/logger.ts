import { types } from 'node:util';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { currentRequestId } from './request-scope';
import { currentTraceId } from './tracing';

export type { Logger } from 'pino';

/**
 * Allowlist serializer for errors. pino's default one walks the whole object, and an AxiosError
 * carries the Cobalt API key at five different paths (its config's headers, the raw request header
 * text, the redirect options, and the same again under `response`) that no redact list reliably
 * covers. Only these fields are ever written. `isNativeError` rather than `instanceof`: an error made
 * in another realm (node's own TLS errors, seen from a vm context such as a test runner's) is still
 * an error worth its message.
 */
export function safeErrorSerializer(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error) && !types.isNativeError(err)) return { type: typeof err };
  const out: Record<string, unknown> = { type: err.name, message: err.message };
  const maybe = err as Error & { code?: unknown; status?: unknown; failure?: unknown };
  if (typeof maybe.code === 'string') out['code'] = maybe.code;
  if (typeof maybe.status === 'number') out['status'] = maybe.status;
  if (err.stack !== undefined) out['stack'] = err.stack;
  return out;
}

/**
 * Second line of defence behind the serializer: paths where a secret could appear if someone logs a
 * request-shaped object. Paths are case-sensitive and match one level per `*`.
 */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*["x-api-key"]',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'sessionToken',
  '*.sessionToken',
  // Hosted Connect URLs embed the user's session token (docs/cobalt-contract.md#applications-and-connect-urls).
  'hosted_url',
  '*.hosted_url',
  'connectUrl',
  '*.connectUrl',
];

export interface LoggerOptions {
  readonly level: LevelWithSilent;
  /** Where lines go; stdout by default. Tests pass a capture stream to scan for leaks. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'cobalt-gateway' },
      serializers: { err: safeErrorSerializer, error: safeErrorSerializer },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Every line written while serving a request carries its id, without threading a child logger,
      // and, with tracing on, the trace id that finds the request's spans.
      mixin: () => {
        const requestId = currentRequestId();
        if (requestId === undefined) return {};
        const traceId = currentTraceId();
        return traceId === undefined ? { requestId } : { requestId, traceId };
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
