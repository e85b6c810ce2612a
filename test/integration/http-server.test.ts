import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { signTestJwt } from '../support/jwt';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import { graphqlRequest, postJson } from '../support/graphql-request';
import { MINT_QUERY, SESSION_TOKEN_PATH } from '../support/operations';
import { freshAccount, KNOWN_ACCOUNT, TEST_API_KEY } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';

describe('the HTTP layer', () => {
  const gw = useTestGateway({ env: { MAX_BODY_BYTES: '2048' } });

  it('answers /healthz and /readyz with 200 once listening', async () => {
    const health = await fetch(`${gw.origin}/healthz`);
    const ready = await fetch(`${gw.origin}/readyz`);

    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(ready.status).toBe(200);
  });

  it('answers 431 to a 100 KB header and keeps serving', async () => {
    const res = await postJson(gw.url, '{"query":"{ __typename }"}', { 'x-padding': 'a'.repeat(100 * 1024) });

    expect(res.status).toBe(431);
    expect((await fetch(`${gw.origin}/healthz`)).status).toBe(200);
  });

  it('stays responsive to others while a slow client dribbles its headers (slowloris)', async () => {
    const slow = net.connect(Number(new URL(gw.url).port), '127.0.0.1');
    await new Promise((resolve) => slow.once('connect', resolve));
    slow.write('POST /graphql HTTP/1.1\r\nHost: x\r\n');
    const dribble = setInterval(() => slow.write('X-A: b\r\n'), 20);
    try {
      const timings: number[] = [];
      for (let i = 0; i < 20; i += 1) {
        const startedAt = performance.now();
        expect((await fetch(`${gw.origin}/healthz`)).status).toBe(200);
        timings.push(performance.now() - startedAt);
      }
      // Generous for a shared CI machine: the point is "not blocked", not a latency target.
      expect(Math.max(...timings)).toBeLessThan(1000);
    } finally {
      clearInterval(dribble);
      slow.destroy();
    }
  });

  it('answers 404 for unknown paths', async () => {
    const res = await fetch(`${gw.origin}/nope`);

    expect(res.status).toBe(404);
  });

  it('answers GraphQL with a Content-Length, not chunked encoding', async () => {
    const res = await postJson(gw.url, { query: '{ __typename }' });
    const text = await res.text();

    expect(res.headers.get('transfer-encoding')).toBeNull();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
  });

  it('answers 413 to a body over MAX_BODY_BYTES without running it', async () => {
    const bearer = await signTestJwt({ sub: KNOWN_ACCOUNT });
    const query = `${MINT_QUERY} # ${'x'.repeat(4096)}`;

    const res = await postJson(gw.url, { query }, { authorization: `Bearer ${bearer}` });

    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
  });

  it('answers 413 to a chunked body that grows past MAX_BODY_BYTES (no content-length)', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(1024));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i += 1) controller.enqueue(chunk);
        controller.close();
      },
    });

    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);

    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('answers 400 with BAD_REQUEST to a body that is not JSON', async () => {
    const res = await postJson(gw.url, '{"query":');

    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toMatchObject({
      code: 'BAD_REQUEST',
      retryable: false,
    });
  });

  it('refuses a mutation over GET', async () => {
    const bearer = await signTestJwt({ sub: KNOWN_ACCOUNT });

    const res = await fetch(`${gw.url}?query=${encodeURIComponent(MINT_QUERY)}`, {
      headers: { authorization: `Bearer ${bearer}`, 'apollo-require-preflight': 'true' },
    });

    expect(res.status).toBe(405);
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(0);
  });

  it('refuses a form-encoded POST (CSRF prevention)', async () => {
    const res = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B__typename%7D',
    });

    expect(res.status).toBe(400);
  });

  it('refuses batched operations', async () => {
    const res = await postJson(gw.url, [{ query: '{ __typename }' }, { query: '{ __typename }' }]);

    expect(res.status).toBe(400);
  });

  it('never sends a stack trace or "Did you mean" hints', async () => {
    const res = await postJson(gw.url, { query: '{ viewe { linkedAccountId } }' });
    const text = await res.text();

    expect(text).not.toMatch(/Did you mean|stacktrace/);
  });

  it('sets security headers on every answer', async () => {
    const res = await fetch(`${gw.origin}/healthz`);

    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('operations that would fan out into Cobalt calls', () => {
  const gw = useTestGateway();

  it.each([
    ['two aliases', 'mutation { a: createSessionToken { token } b: createSessionToken { token } }', 'VALIDATION'],
    [
      '200 aliases',
      `mutation { ${Array.from({ length: 200 }, (_, i) => `a${i}: createSessionToken { token }`).join(' ')} }`,
      // Over the token limit: refused by the parser, before validation (src/server/document-limits.ts).
      'PARSE',
    ],
    [
      'a fragment repeating the field',
      'mutation { ...M createSessionToken { token } } fragment M on Mutation { createSessionToken { token } }',
      'VALIDATION',
    ],
    ['two revokes', 'mutation { a: revokeSessionToken b: revokeSessionToken }', 'VALIDATION'],
  ])('refuses %s before execution, with no Cobalt call', async (_label, query, stage) => {
    const bearer = await signTestJwt({ sub: KNOWN_ACCOUNT });

    const res = await postJson(gw.url, { query }, { authorization: `Bearer ${bearer}` });
    const body = (await res.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };

    expect(res.status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.extensions.code).toBe(`GRAPHQL_${stage}_FAILED`);
    expect(gw.emulator.received()).toHaveLength(0);
  });
});

describe('GET /metrics', () => {
  const gw = useTestGateway();

  it('counts operations by root field and outcome, Cobalt calls, and token-cache events, with no secret in it', async () => {
    const account = freshAccount(gw.emulator);
    const bearer = await signTestJwt({ sub: account });
    const minted = await graphqlRequest(gw.url, CreateSessionTokenDocument, { token: bearer });
    await graphqlRequest(gw.url, CreateSessionTokenDocument, { token: bearer });
    await graphqlRequest(gw.url, CreateSessionTokenDocument);

    const res = await fetch(`${gw.origin}/metrics`);
    const text = await res.text();

    expect(res.status).toBe(200);
    expect(text).toContain('cobalt_gateway_graphql_requests_total{field="createSessionToken",outcome="ok"} 2');
    expect(text).toContain(
      'cobalt_gateway_graphql_requests_total{field="createSessionToken",outcome="UNAUTHENTICATED"} 1',
    );
    expect(text).toContain(
      'cobalt_gateway_cobalt_call_duration_seconds_count{operation="createSessionToken",outcome="ok"} 1',
    );
    expect(text).toContain('cobalt_gateway_token_cache_events_total{event="hits"} 1');
    expect(text).toContain('cobalt_gateway_token_cache_events_total{event="misses"} 1');
    expect(text).not.toContain(minted.body.data!.createSessionToken.token);
    expect(text).not.toContain(TEST_API_KEY);
    expect(text).not.toContain(account);
  });
});

describe('CORS', () => {
  const gw = useTestGateway({ env: { CORS_ORIGINS: 'https://app.example.test, http://localhost:5173' } });

  const preflight = (origin: string) =>
    fetch(gw.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });

  it('answers the preflight of an allowed origin and marks its responses', async () => {
    const pre = await preflight('https://app.example.test');
    const res = await postJson(gw.url, { query: '{ __typename }' }, { origin: 'http://localhost:5173' });

    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('gives any other origin no CORS permission', async () => {
    const pre = await preflight('https://evil.example.test');
    const res = await postJson(gw.url, { query: '{ __typename }' }, { origin: 'https://evil.example.test' });

    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
