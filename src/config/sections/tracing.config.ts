import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { Secret } from '../secret';
import { flag, httpUrl, optionalNonEmpty } from './env-values';
import type { ParseContext } from './parse-context';

/**
 * OpenTelemetry tracing, read from the variables the OpenTelemetry specification names, so an
 * operator's usual settings (and an OpenTelemetry operator's injected ones) just work. Off unless an
 * endpoint is set.
 */
export const tracingEnv = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl()
    .optional()
    .describe(
      'OTLP/HTTP base URL of a collector (e.g. `http://otel-collector:4318`); spans go to its `/v1/traces`. Unset (and no traces endpoint): tracing off.',
    ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl()
    .optional()
    .describe('Full OTLP/HTTP URL for spans, used as is; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`.'),
  OTEL_EXPORTER_OTLP_HEADERS: optionalNonEmpty.describe(
    'Headers sent with every export, `key=value` pairs separated by commas, values URL-encoded (e.g. an auth token). Secret: never logged.',
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: z
    .enum(['http/json'])
    .optional()
    .describe('Export protocol; only `http/json` (OTLP/HTTP with JSON bodies, port 4318) is supported.'),
  OTEL_SERVICE_NAME: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .default('cobalt-gateway')
    .describe('`service.name` of every span.'),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .default('parentbased_always_on')
    .describe(
      "Which requests are traced: `always_on`, `always_off`, `traceidratio`, or `parentbased_` before one of them to follow the caller's `traceparent` sampled flag.",
    ),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Ratio in [0, 1] for the `*traceidratio` samplers. Default: `1`.'),
  OTEL_SDK_DISABLED: flag.default(false).describe('`true` turns tracing off whatever else is set.'),
});

type TracingEnv = z.output<typeof tracingEnv>;

// A header name is an HTTP token; a value must not be able to split the header block.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

/**
 * `key=value,key2=value2` with URL-encoded values, as the specification writes them. Problems name
 * the variable and the entry's position only: the values are credentials.
 */
function parseHeaders(raw: string | undefined, problems: string[]): Record<string, Secret> {
  const headers: Record<string, Secret> = {};
  if (raw === undefined) return headers;
  raw.split(',').forEach((entry, index) => {
    if (entry.trim() === '') return;
    const at = entry.indexOf('=');
    const name = at === -1 ? '' : entry.slice(0, at).trim().toLowerCase();
    let value: string | undefined;
    try {
      value = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      value = undefined;
    }
    if (!HEADER_NAME.test(name) || value === undefined || !HEADER_VALUE.test(value)) {
      problems.push(`OTEL_EXPORTER_OTLP_HEADERS: entry ${index + 1} is not key=url-encoded-value`);
      return;
    }
    headers[name] = new Secret(value);
  });
  return headers;
}

function tracesUrl(env: TracingEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined) return undefined;
  return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

export function parseTracing(env: TracingEnv, { problems }: ParseContext) {
  const headers = parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, problems);
  const ratioSampler = env.OTEL_TRACES_SAMPLER.endsWith('traceidratio');
  if (!ratioSampler && env.OTEL_TRACES_SAMPLER_ARG !== undefined) {
    problems.push('OTEL_TRACES_SAMPLER_ARG: only meaningful with a *traceidratio OTEL_TRACES_SAMPLER');
  }
  const url = env.OTEL_SDK_DISABLED ? undefined : tracesUrl(env);
  return {
    /** Where spans are sent (OTLP/HTTP JSON); undefined: tracing is off. */
    url,
    /** Sent with every export; values are secrets. */
    headers,
    serviceName: env.OTEL_SERVICE_NAME,
    sampler: env.OTEL_TRACES_SAMPLER,
    /** The share of root traces kept by the ratio samplers. */
    ratio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}

export type TracingConfig = DeepReadonly<ReturnType<typeof parseTracing>>;
