import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CobaltFailureError } from '../../src/cobalt/cobalt-failure';
import { CobaltTransport } from '../../src/cobalt/cobalt-transport';
import { Secret } from '../../src/config/secret';

/** Keeps this process's event loop busy, as a burst of requests does: no timer, no socket read runs. */
function blockEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy on purpose
  }
}

describe('a Cobalt attempt on a busy event loop', () => {
  let server: http.Server;
  let baseUrl: string;
  let mode: 'answer-then-block' | 'hang' = 'answer-then-block';

  beforeAll(async () => {
    server = http.createServer((_request, response) => {
      if (mode === 'hang') return;
      // The answer is in the client's socket before the loop is blocked past the attempt's timeout.
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t"}', () => {
        blockEventLoop(1500);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const transport = () => new CobaltTransport({ baseUrl, apiKey: new Secret('k'), idleTimeoutMs: 5000 });

  it('takes the answer already waiting in the socket instead of timing out when the timer fires late', async () => {
    mode = 'answer-then-block';

    // A timeout long enough for the request to reach the server on a loaded machine; the server's
    // block outlasts it, so the timer is overdue when the loop resumes.
    const response = await transport().send({ method: 'GET', path: '/x', auth: 'api-key' }, 1000);

    expect(response.status).toBe(200);
  });

  it('reports how late the timer fired when Cobalt really did not answer', async () => {
    mode = 'hang';
    const sending = transport().send({ method: 'GET', path: '/x', auth: 'api-key' }, 30);
    blockEventLoop(100);

    const failure = await sending.then(
      () => undefined,
      (error: unknown) => (error as CobaltFailureError).failure,
    );

    expect(failure?.kind).toBe('timeout');
    expect(failure?.kind === 'timeout' ? (failure.localDelayMs ?? 0) : 0).toBeGreaterThanOrEqual(50);
  });
});
