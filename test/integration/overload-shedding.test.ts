import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { toGatewayFailure } from '../../client/gateway-errors';
import { mint } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { metricsText, readiness } from '../support/probes';
import { ScriptedLoadSampler } from '../support/scripted-load-sampler';
import { freshAccount } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';
import { sleep, until } from '../support/wait';

describe('load shedding', () => {
  const sampler = new ScriptedLoadSampler();
  const gw = useTestGateway({
    env: { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '200', OVERLOAD_MAX_HEAP_USED_RATIO: '0.98', OVERLOAD_RETRY_AFTER_S: '3' },
    overloadSampler: sampler,
  });

  /** The monitor reads the sampler every 100 ms; /readyz shows when it has seen the new value. */
  const overloadCheck = async () => (await readiness(gw)).checks?.['overload'];

  it('refuses new GraphQL requests with 503 OVERLOADED while over a threshold, and finishes those admitted', async () => {
    const admittedAccount = freshAccount(gw.emulator);
    gw.emulator.addFault({ type: 'latency', ms: 500 }, { times: 1 });
    const admitted = mint(gw, admittedAccount);
    await until(() => gw.emulator.received(SESSION_TOKEN_PATH).length === 1, { what: 'the admitted mint at Cobalt' });

    sampler.next = { eventLoopDelayMs: 450, heapUsedRatio: 0.2 };
    await until(async () => (await overloadCheck()) === 'shedding:event-loop-delay', { what: 'shedding' });

    const refused = await mint(gw, freshAccount(gw.emulator));
    const byGet = await fetch(`${gw.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });

    expect(refused.status).toBe(503);
    expect(refused.body.data).toBeUndefined();
    expect(refused.error).toEqual({
      message: 'The gateway is overloaded. Try again shortly.',
      extensions: { code: 'OVERLOADED', retryable: true, retryAfterSeconds: 3, requestId: expect.any(String) },
    });
    expect(toGatewayFailure(refused.error!)).toMatchObject({ kind: 'gateway', code: 'OVERLOADED', retryable: true });
    expect(byGet.status).toBe(503);
    expect(byGet.headers.get('retry-after')).toBe('3');
    expect(byGet.headers.get('cache-control')).toBe('no-store');
    expect(gw.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);

    // Probes are never shed, and the instance stays in rotation.
    expect((await fetch(`${gw.origin}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'degraded',
      checks: { overload: 'shedding:event-loop-delay' },
    });
    const metrics = await metricsText(gw);
    expect(metrics).toContain('cobalt_gateway_overload_shed_total{reason="event-loop-delay"} 2');
    expect(metrics).toContain('cobalt_gateway_overloaded 1');

    expect((await admitted).data?.token).toEqual(expect.any(String));

    sampler.next = { eventLoopDelayMs: 5, heapUsedRatio: 0.2 };
    await until(async () => (await overloadCheck()) === 'ok', { what: 'recovery' });

    expect((await mint(gw, freshAccount(gw.emulator))).data?.token).toEqual(expect.any(String));
    expect(await metricsText(gw)).toContain('cobalt_gateway_overloaded 0');
    expect(gw.logs.parsed().filter((r) => r['event'] === 'overload')).toHaveLength(1);
  });

  it('sheds on the heap too, naming it', async () => {
    sampler.next = { eventLoopDelayMs: 0, heapUsedRatio: 0.99 };
    await until(async () => (await overloadCheck()) === 'shedding:heap', { what: 'shedding' });

    const refused = await mint(gw, freshAccount(gw.emulator));

    expect(refused.status).toBe(503);
    expect(refused.error?.extensions?.['code']).toBe('OVERLOADED');
    expect(await metricsText(gw)).toContain('cobalt_gateway_overload_shed_total{reason="heap"} 1');

    sampler.next = { eventLoopDelayMs: 0, heapUsedRatio: 0.2 };
    await until(async () => (await overloadCheck()) === 'ok', { what: 'recovery' });
  });
});

describe('load shedding on requests in flight', () => {
  const gw = useTestGateway({ env: { OVERLOAD_MAX_IN_FLIGHT: '2' } });

  it('refuses a request past OVERLOAD_MAX_IN_FLIGHT unanswered ones, and admits again once they are answered', async () => {
    gw.emulator.addFault({ type: 'latency', ms: 500 }, { times: 2 });
    const slow = [mint(gw, freshAccount(gw.emulator)), mint(gw, freshAccount(gw.emulator))];
    await until(() => gw.emulator.received(SESSION_TOKEN_PATH).length === 2, { what: 'both mints at Cobalt' });

    const refused = await mint(gw, freshAccount(gw.emulator));

    expect(refused.status).toBe(503);
    expect(refused.error?.extensions).toMatchObject({ code: 'OVERLOADED', retryable: true });
    expect(await metricsText(gw)).toContain('cobalt_gateway_overload_shed_total{reason="in-flight"} 1');
    expect((await readiness(gw)).checks?.['overload']).toBe('ok');

    for (const minted of await Promise.all(slow)) expect(minted.data?.token).toEqual(expect.any(String));
    expect((await mint(gw, freshAccount(gw.emulator))).data?.token).toEqual(expect.any(String));
  });

  it('does not count requests whose body is still arriving, so slow uploads cannot shed everyone else', async () => {
    const { hostname, port } = new URL(gw.url);
    const slowUploads = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(Number(port), hostname, () => {
              // Headers and the first bytes of a 1 000-byte body, then nothing: a client trickling it.
              socket.write(
                `POST /graphql HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\n` +
                  'content-length: 1000\r\n\r\n{"query":',
                () => resolve(socket),
              );
            });
          }),
      ),
    );
    try {
      // Nothing to observe when they are (rightly) not counted: give the server a moment to read
      // their headers, so the mint below arrives after them.
      await sleep(50);
      const minted = await mint(gw, freshAccount(gw.emulator));

      expect(minted.data?.token).toEqual(expect.any(String));
    } finally {
      for (const socket of slowUploads) socket.destroy();
    }
  });
});
