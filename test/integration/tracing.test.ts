import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, type Tracing } from '../../src/composition/tracing';
import { signTestJwt } from '../support/jwt';
import { mintWithBearer } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { newEncryptionKey, startTestRedis, type TestRedis } from '../support/redis-server';
import { expectNoLeaks } from '../support/surface-leaks';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';

/** The spans of one trace as an indented tree, children in start order: what an operator's UI shows. */
function tree(spans: readonly ReadableSpan[], traceId: string): string[] {
  const own = spans.filter((span) => span.spanContext().traceId === traceId);
  const ids = new Set(own.map((span) => span.spanContext().spanId));
  const startOf = (span: ReadableSpan) => span.startTime[0] * 1e9 + span.startTime[1];
  const lines: string[] = [];
  const walk = (parentId: string | undefined, depth: number) => {
    own
      .filter((span) => {
        const parent = span.parentSpanContext?.spanId;
        return parentId === undefined ? parent === undefined || !ids.has(parent) : parent === parentId;
      })
      .sort((a, b) => startOf(a) - startOf(b))
      .forEach((span) => {
        lines.push(`${'  '.repeat(depth)}${span.name}`);
        walk(span.spanContext().spanId, depth + 1);
      });
  };
  walk(undefined, 0);
  return lines;
}

function traceparent(): { header: string; traceId: string; parentId: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${parentId}-01`, traceId, parentId };
}

describe('tracing: the span tree of a mint, its attributes, and trace context to Cobalt', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let redis: TestRedis;
  let gw: TestGateway;

  beforeAll(async () => {
    // The test's exporter behind the same wiring main uses (sampler, propagator, Redis hook).
    tracing = startTracing(
      { url: undefined, headers: {}, serviceName: 'cobalt-gateway', sampler: 'parentbased_always_on', ratio: 1 },
      { exporter },
    )!;
    redis = await startTestRedis();
    gw = await startTestGateway({ env: { REDIS_URL: redis.url, TOKEN_ENCRYPTION_KEY: newEncryptionKey() } });
  });
  afterAll(async () => {
    await gw.stop();
    await redis.stop();
    await tracing.shutdown();
  });

  async function spansOf(traceId: string): Promise<{ spans: ReadableSpan[]; lines: string[] }> {
    await tracing.forceFlush();
    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    return { spans, lines: tree(spans, traceId) };
  }

  it('a cold mint: server, operation, JWT, cache lookup (miss) with its Redis commands, one Cobalt attempt', async () => {
    const account = freshAccount(gw.emulator);
    const bearer = await signTestJwt({ sub: account }, { clock: gw.clock });
    const incoming = traceparent();
    const minted = await mintWithBearer(gw, bearer, {
      headers: { traceparent: incoming.header, 'x-request-id': `trace-${incoming.traceId}` },
    });
    expect(minted.data?.token).toBeDefined();

    const { spans, lines } = await spansOf(incoming.traceId);
    if (process.env['PRINT_SPAN_TREE'] === '1') {
      const attributes = spans.map((span) => `${span.name} ${JSON.stringify(span.attributes)}`);
      process.stdout.write(`${lines.join('\n')}\n\n${attributes.join('\n')}\n`);
    }
    // Without the Redis commands (their number depends on the rate limits' script cache and the
    // two-tier cache; they are checked below).
    expect(lines.filter((line) => !line.includes('redis '))).toEqual([
      'POST /graphql',
      '  mutation createSessionToken',
      '    jwt.verify',
      '    token-cache.lookup',
      '      POST /api/v2/public/session-token',
    ]);
    const lookupAt = lines.indexOf('    token-cache.lookup');
    expect(lines.slice(lookupAt)).toEqual(expect.arrayContaining(['      redis GET', '      redis SET']));
    expect(lines.slice(lookupAt).indexOf('      redis PUBLISH')).toBeGreaterThan(0);
    const byName = (name: string) => spans.find((span) => span.name === name)!;
    const server = byName('POST /graphql');
    expect(server.parentSpanContext?.spanId).toBe(incoming.parentId);
    expect(server.attributes).toMatchObject({ 'http.route': '/graphql', 'http.response.status_code': 200 });
    expect(byName('mutation createSessionToken').attributes).toMatchObject({
      'graphql.operation.type': 'mutation',
      'graphql.root_field': 'createSessionToken',
      'graphql.operation.name': 'CreateSessionToken',
    });
    expect(byName('jwt.verify').attributes).toEqual({ 'auth.result': 'ok' });
    expect(byName('token-cache.lookup').attributes).toEqual({ 'token_cache.outcome': 'miss' });
    const attempt = byName('POST /api/v2/public/session-token');
    expect(attempt.attributes).toEqual({
      'http.request.method': 'POST',
      'url.template': '/api/v2/public/session-token',
      'http.response.status_code': 200,
    });
    for (const span of spans.filter((one) => one.name.startsWith('redis '))) {
      expect(span.attributes).toEqual({ 'db.system.name': 'redis', 'db.operation.name': span.name.slice(6) });
    }

    // Cobalt saw the attempt's span as its parent, in the caller's trace.
    const [sent] = gw.emulator.received(SESSION_TOKEN_PATH).slice(-1);
    expect(sent?.headers['traceparent']).toBe(`00-${incoming.traceId}-${attempt.spanContext().spanId}-01`);

    // Nothing a span says names the account, the bearer token, the API key or the minted token.
    expectNoLeaks({
      responses: [],
      logs: JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events])),
      secrets: [account, bearer, minted.data?.token ?? 'no token'],
    });
    // The log lines written for the request carry its id and the trace id together.
    const logLines = gw.logs.parsed().filter((line) => line['requestId'] === `trace-${incoming.traceId}`);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.every((line) => line['traceId'] === incoming.traceId)).toBe(true);
  });

  it('a cached mint: the lookup says hit and Cobalt is not called', async () => {
    const account = freshAccount(gw.emulator);
    const bearer = await signTestJwt({ sub: account }, { clock: gw.clock });
    await mintWithBearer(gw, bearer);
    const incoming = traceparent();
    await mintWithBearer(gw, bearer, { headers: { traceparent: incoming.header } });

    const { spans, lines } = await spansOf(incoming.traceId);
    // Served from process memory (the two-tier cache's first tier): no Redis read in the lookup.
    expect(lines.filter((line) => !line.includes('redis '))).toEqual([
      'POST /graphql',
      '  mutation createSessionToken',
      '    jwt.verify',
      '    token-cache.lookup',
    ]);
    expect(spans.find((span) => span.name === 'jwt.verify')?.attributes).toEqual({
      'auth.result': 'ok',
      'auth.jwt.cached': true,
    });
    // Answered from the in-process tier, which never reaches Redis.
    expect(spans.find((span) => span.name === 'token-cache.lookup')?.attributes).toEqual({
      'token_cache.outcome': 'hit',
      'token_cache.tier': 'process',
    });
  });

  it('a refused operation: the span carries the error code, and no trace starts for a probe', async () => {
    const incoming = traceparent();
    await mintWithBearer(gw, 'not-a-jwt', { headers: { traceparent: incoming.header } });
    await fetch(`${gw.origin}/healthz`, { headers: { traceparent: traceparent().header } });

    const { spans } = await spansOf(incoming.traceId);
    const operation = spans.find((span) => span.name === 'mutation createSessionToken');
    expect(operation?.attributes['graphql.error.code']).toBe('UNAUTHENTICATED');
    expect(operation?.status.code).toBe(2);
    expect(spans.find((span) => span.name === 'jwt.verify')?.attributes).toEqual({
      'auth.result': 'malformed-header',
    });
    expect(exporter.getFinishedSpans().filter((span) => span.name.includes('healthz'))).toEqual([]);
  });
});
