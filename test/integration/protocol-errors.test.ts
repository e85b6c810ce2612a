import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { postJson } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { freshAccount } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';
import { until } from '../support/wait';

interface Answer {
  readonly status: number;
  readonly codes: unknown[];
}

/** Writes `raw` on a new connection and half-closes it or cuts it; resolves when the gateway closed it. */
function sendRaw(url: string, raw: string, how: 'cut' | 'wait'): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(raw, () => {
        if (how === 'cut') socket.destroy();
      });
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', () => resolve(received));
  });
}

/**
 * What a stranger can send without a bearer token must never reach the error log: a request the
 * protocol refuses is a 400 with a typed code, and a client that goes away is not the gateway's fault.
 */
describe('protocol errors', () => {
  const gw = useTestGateway();

  async function answer(body: unknown): Promise<Answer> {
    const res = await postJson(gw.url, body);
    const json = (await res.json()) as { errors?: { extensions?: { code?: unknown } }[] };
    return { status: res.status, codes: (json.errors ?? []).map((e) => e.extensions?.code) };
  }
  const errorLines = () => gw.logs.parsed().filter((line) => Number(line['level']) >= 50);

  it.each([
    ['a subscription, which the schema does not support', { query: 'subscription { x }' }],
    ['a subscription on a real field', { query: 'subscription { viewer { linkedAccountId } }' }],
    ['an operation name the document does not have', { query: 'query A { __typename }', operationName: 'B' }],
    ['two anonymous operations', { query: '{ __typename } { __typename }' }],
    ['a missing required variable', { query: 'query ($a: String!) { __typename @include(if: true) }' }],
    [
      'a variable of the wrong type',
      { query: 'query ($a: Boolean!) { __typename @include(if: $a) }', variables: { a: 'x' } },
    ],
  ])('answers %s with 400 and a typed code, and logs no error', async (_name, body) => {
    const before = errorLines().length;

    const result = await answer(body);

    expect(result.status).toBe(400);
    expect(result.codes.length).toBeGreaterThan(0);
    expect(result.codes).not.toContain('INTERNAL_SERVER_ERROR');
    expect(errorLines().slice(before)).toEqual([]);
  });

  it('answers a subscription with GRAPHQL_VALIDATION_FAILED', async () => {
    const result = await answer({ query: 'subscription { x }' });

    expect(result).toEqual({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'] });
  });

  it('answers a null for a non-null argument, which validation lets through, with BAD_USER_INPUT and logs no error', async () => {
    const before = errorLines().length;
    const query = 'mutation ($f: Boolean = false) { createSessionToken(forceRefresh: $f) { token } }';

    const bearer = await signTestJwt({ sub: freshAccount(gw.emulator) }, { clock: gw.clock });
    const res = await postJson(gw.url, { query, variables: { f: null } }, { authorization: `Bearer ${bearer}` });
    const json = (await res.json()) as { errors?: { extensions?: { code?: unknown } }[] };

    expect(json.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(errorLines().slice(before)).toEqual([]);
  });

  it('logs a client that goes away mid-body at debug, never at error', async () => {
    const before = errorLines().length;
    const { host } = new URL(gw.url);
    const head = `POST /graphql HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\n`;

    await sendRaw(gw.url, `${head}content-length: 1000\r\n\r\n{"query":"{ __typ`, 'cut');
    await sendRaw(gw.url, `${head}transfer-encoding: chunked\r\n\r\n5\r\n{"que\r\nzz\r\n`, 'wait');
    await sendRaw(gw.url, `${head}transfer-encoding: chunked\r\n\r\n5\r\n{"que`, 'cut');
    await until(() => gw.logs.parsed().filter((line) => line['msg'] === 'client went away mid-request').length >= 2, {
      what: () => gw.logs.text(),
    });

    expect(errorLines().slice(before)).toEqual([]);
  });

  it('has left the error log empty after every request above', () => {
    // Quoted in the note.
    process.stderr.write(`protocol errors: ${errorLines().length} error-level log lines\n`);

    expect(errorLines()).toEqual([]);
  });
});
