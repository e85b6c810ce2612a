import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../../src/config/load-config';
import { parseTracing, tracingEnv } from '../../../../src/config/sections/tracing.config';
import { parseSection } from './parse-section';

function parse(vars: Record<string, string>) {
  return parseSection(tracingEnv, parseTracing, vars);
}

describe('tracing settings (the OpenTelemetry variables)', () => {
  it('is off unless an endpoint is set, and off whatever is set with OTEL_SDK_DISABLED', () => {
    expect(parse({}).value.url).toBeUndefined();
    expect(parse({ OTEL_SERVICE_NAME: 'gw', OTEL_TRACES_SAMPLER: 'always_on' }).value.url).toBeUndefined();
    expect(
      parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).value.url,
    ).toBeUndefined();
  });

  it('sends to <endpoint>/v1/traces, or to the traces endpoint as is', () => {
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).value).toMatchObject({
      url: 'http://collector:4318/v1/traces',
      serviceName: 'cobalt-gateway',
      sampler: 'parentbased_always_on',
      ratio: 1,
    });
    expect(
      parse({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo.example/otlp/v1/traces',
      }).value.url,
    ).toBe('https://tempo.example/otlp/v1/traces');
  });

  it('reads headers as URL-encoded key=value pairs, kept as secrets', () => {
    const { value, problems } = parse({
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Basic%20abc%3D%3D, x-scope-orgid=t1',
    });

    expect(problems).toEqual([]);
    expect(Object.keys(value.headers)).toEqual(['authorization', 'x-scope-orgid']);
    expect(value.headers['authorization']?.reveal()).toBe('Basic abc==');
    expect(JSON.stringify(value.headers)).not.toContain('abc');
  });

  it('names the variable, never the value, for a bad header, a bad URL, sampler or ratio', () => {
    const env = {
      NODE_ENV: 'test',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20sekrit,broken-sekrit2',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
    };
    let problems: readonly string[] = [];
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) problems = error.problems;
    }
    const named = problems.map((problem) => problem.split(':')[0]);

    expect(named).toEqual(
      expect.arrayContaining([
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'OTEL_EXPORTER_OTLP_HEADERS',
        'OTEL_EXPORTER_OTLP_PROTOCOL',
        'OTEL_TRACES_SAMPLER',
        'OTEL_TRACES_SAMPLER_ARG',
      ]),
    );
    expect(problems.join('\n')).not.toMatch(/sekrit/);
  });

  it('refuses a ratio without a ratio sampler', () => {
    expect(parse({ OTEL_TRACES_SAMPLER_ARG: '0.1' }).problems).toEqual([
      'OTEL_TRACES_SAMPLER_ARG: only meaningful with a *traceidratio OTEL_TRACES_SAMPLER',
    ]);
    expect(
      parse({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }).value,
    ).toMatchObject({ sampler: 'parentbased_traceidratio', ratio: 0.1 });
  });
});
