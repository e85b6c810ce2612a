import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { integer, optionalNonEmpty, positiveMs, splitList } from './env-values';
import type { ParseContext } from './parse-context';

export const httpEnv = z.object({
  HOST: z.string().trim().min(1).default('127.0.0.1').describe('Interface to listen on; `0.0.0.0` in a container.'),
  PORT: integer(0, 65535).default(4000).describe('TCP port of the gateway (`0` picks a free one).'),
  HEALTH_PORT: integer(0, 65535)
    .optional()
    .describe(
      "A second port serving only `/healthz`, `/readyz` and `/metrics` (on `HOST`), so probes are answered while a burst fills the main port's accept queue. Unset: probes on `PORT` only.",
    ),
  CORS_ORIGINS: optionalNonEmpty.describe(
    'Comma-separated browser origins allowed to call `/graphql` cross-origin (e.g. `https://app.example.com`). Unset: none.',
  ),
  MAX_BODY_BYTES: integer(256, 10 * 1024 * 1024)
    .default(64 * 1024)
    .describe('Largest accepted request body; larger ones get HTTP 413.'),
  TRUST_PROXY: integer(0, 10)
    .default(0)
    .describe(
      'Reverse-proxy hops in front of the gateway whose `X-Forwarded-For` entries are trusted for the client IP.',
    ),
  SHUTDOWN_TIMEOUT_MS: positiveMs(300_000)
    .default(10_000)
    .describe(
      'Once the listener is closed at shutdown, how long in-flight requests may take to finish before they are cut.',
    ),
  SHUTDOWN_READINESS_DELAY_MS: integer(0, 300_000)
    .optional()
    .describe(
      'On SIGTERM/SIGINT, how long `/readyz` answers 503 while serving goes on, before the listener closes. Default: `5000` in production, `0` otherwise.',
    ),
  SHUTDOWN_IDLE_GRACE_MS: integer(0, 60_000)
    .default(1000)
    .describe(
      'At shutdown, how long a kept-alive connection must have been idle before it is closed (a request already sent is served).',
    ),
});

// Long enough for a load balancer or Kubernetes' endpoints to stop routing here after /readyz turns 503.
const PRODUCTION_READINESS_DELAY_MS = 5000;

// An origin has no path, no wildcard and no trailing slash: browsers send exactly that form.
const ORIGIN = /^https?:\/\/[^/*\s]+$/;

export function parseHttp(env: z.output<typeof httpEnv>, { problems, production }: ParseContext) {
  const corsOrigins = splitList(env.CORS_ORIGINS);
  if (env.HEALTH_PORT !== undefined && env.HEALTH_PORT !== 0 && env.HEALTH_PORT === env.PORT) {
    problems.push('HEALTH_PORT: must differ from PORT (unset it to serve the probes on PORT)');
  }
  for (const origin of corsOrigins) {
    if (!ORIGIN.test(origin)) problems.push('CORS_ORIGINS: each entry must look like https://host[:port]');
  }
  return {
    host: env.HOST,
    port: env.PORT,
    /** The probe listener's port, when probes get their own. */
    ...(env.HEALTH_PORT !== undefined && { healthPort: env.HEALTH_PORT }),
    maxBodyBytes: env.MAX_BODY_BYTES,
    /** Exact origins (scheme://host[:port]) allowed to call cross-origin. */
    corsOrigins,
    /** Proxy hops whose X-Forwarded-For entries are believed. */
    trustProxyHops: env.TRUST_PROXY,
    /** How long in-flight requests may take to finish once the listener is closed. */
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    /** How long the gateway keeps serving, out of rotation, before closing the listener. */
    shutdownReadinessDelayMs: env.SHUTDOWN_READINESS_DELAY_MS ?? (production ? PRODUCTION_READINESS_DELAY_MS : 0),
    /** How long a kept-alive connection must have been idle before the drain closes it. */
    shutdownIdleGraceMs: env.SHUTDOWN_IDLE_GRACE_MS,
  };
}

export type HttpConfig = DeepReadonly<ReturnType<typeof parseHttp>>;
