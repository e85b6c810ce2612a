import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestGateway, type TestGateway } from '../support/test-gateway';

/** `HEALTH_PORT`: the probes on a listener of their own, and nothing else there. */
describe('the probe listener (HEALTH_PORT)', () => {
  let gw: TestGateway;
  let probes: string;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { HEALTH_PORT: '0' } });
    probes = gw.probesOrigin!;
  });
  afterAll(() => gw.stop());

  it('listens on a port of its own', () => {
    expect(new URL(probes).port).not.toBe(new URL(gw.origin).port);
  });

  it('answers /healthz, /readyz and /metrics as the main port does', async () => {
    const health = await fetch(`${probes}/healthz`);
    const ready = await fetch(`${probes}/readyz`);
    const metrics = await fetch(`${probes}/metrics`);

    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual(await (await fetch(`${gw.origin}/readyz`)).json());
    expect(await metrics.text()).toContain('cobalt_gateway_graphql_requests_total');
    expect(health.headers.get('cache-control')).toBe('no-store');
  });

  it('serves no GraphQL and no playground', async () => {
    const graphql = await fetch(`${probes}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    const page = await fetch(`${probes}/graphql`, { headers: { accept: 'text/html' } });

    expect(graphql.status).toBe(404);
    expect(page.status).toBe(404);
  });

  it('answers /readyz 503 while stopping, until the process is done', async () => {
    const other = await startTestGateway({ env: { HEALTH_PORT: '0', SHUTDOWN_READINESS_DELAY_MS: '2000' } });
    const stopping = other.stop();
    // The readiness delay keeps the instance serving out of rotation (2 s: room for one probe on a
    // loaded machine); the probe port tells it.
    const ready = await fetch(`${other.probesOrigin!}/readyz`);

    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'stopping' });
    await stopping;
    await expect(fetch(`${other.probesOrigin!}/healthz`)).rejects.toThrow();
  });
});
