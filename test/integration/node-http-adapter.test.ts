import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { CobaltDataSource } from '../../src/cobalt/cobalt.data-source';
import { createNodeHttpAdapter, RESPONSE_TOO_LARGE, RESPONSE_UNDECODABLE } from '../../src/cobalt/node-http-adapter';
import { Secret } from '../../src/config/secret';
import type { GatewayError } from '../../src/errors/gateway-error';
import { captureLogs } from '../support/capture-logger';

// 50 MB of zeros in about 50 KB of gzip.
const BOMB = gzipSync(Buffer.alloc(50 * 1024 * 1024));

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('the lean axios adapter on node:http', () => {
  let server: http.Server;
  let origin: string;
  const seen: Seen[] = [];
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true });

  const client = (overrides: Parameters<typeof axios.create>[0] = {}): AxiosInstance =>
    axios.create({
      baseURL: `${origin}/prefix`,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      adapter: createNodeHttpAdapter({ httpAgent, httpsAgent }),
      ...overrides,
    });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const path = (req.url ?? '').split('?')[0];
        if (path === '/prefix/redirect') res.writeHead(302, { location: 'http://example.invalid/steal' }).end();
        else if (path === '/prefix/big') res.end('x'.repeat(5000));
        else if (path === '/prefix/gzip') res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('{"ok":1}'));
        else if (path === '/prefix/bomb' || path === '/api/v2/public/session-token')
          res.writeHead(200, { 'content-encoding': 'gzip' }).end(BOMB);
        else if (path === '/prefix/corrupt') res.writeHead(200, { 'content-encoding': 'gzip' }).end('not gzip at all');
        else if (path === '/prefix/fail') res.writeHead(503, { 'retry-after': '7' }).end('{"error":"down"}');
        else if (path === '/prefix/hang')
          return; // never answers
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    httpAgent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends method, path under the base URL, params, headers and body, and answers text', async () => {
    const res = await client().post('/call', '{"a":1}', {
      params: { force_refresh: 'true' },
      headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
    });

    expect(res.status).toBe(200);
    expect(res.data).toBe('{"ok":true}');
    expect(res.headers['content-type']).toBe('application/json');
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', url: '/prefix/call?force_refresh=true', body: '{"a":1}' });
    expect(request.headers['x-api-key']).toBe('k');
    expect(request.headers['content-length']).toBe('7');
    expect(request.headers['accept-encoding']).toBeUndefined();
  });

  it('answers a redirect as a response and never follows it', async () => {
    const before = seen.length;

    const res = await client().get('/redirect');

    expect(res.status).toBe(302);
    expect(seen.length).toBe(before + 1);
  });

  it('refuses a body over maxContentLength with the error axios gives', async () => {
    const error = await client({ maxContentLength: 1000 })
      .get('/big')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).code).toBe(RESPONSE_TOO_LARGE);
    expect((error as AxiosError).message).toMatch(/maxContentLength/);
  });

  it('stops a decompression bomb at maxContentLength, and tells a corrupt body from a network error', async () => {
    const bomb = await client({ maxContentLength: 1024 * 1024 })
      .get('/bomb')
      .catch((e: unknown) => e);
    const corrupt = await client()
      .get('/corrupt')
      .catch((e: unknown) => e);

    expect((bomb as AxiosError).code).toBe(RESPONSE_TOO_LARGE);
    expect((corrupt as AxiosError).code).toBe(RESPONSE_UNDECODABLE);
  });

  it('lets the data source answer a bomb with one call and COBALT_BAD_RESPONSE, never a retried mint', async () => {
    const cobalt = new CobaltDataSource({
      baseUrl: origin,
      apiKey: new Secret('tk_adapter_test'),
      timeoutMs: 2000,
      deadlineMs: 4000,
      maxRetries: 2,
      log: captureLogs().log,
    });
    const before = seen.length;

    const error = await cobalt.createSessionToken('user-1').catch((e: unknown) => e);

    expect((error as GatewayError).code).toBe('COBALT_BAD_RESPONSE');
    expect(seen.length - before).toBe(1);
  });

  it('decodes a gzip body a server sends unasked', async () => {
    const res = await client().get('/gzip');

    expect(res.data).toBe('{"ok":1}');
  });

  it('rejects per validateStatus with the response attached', async () => {
    const error = await client({ validateStatus: (s) => s < 500 })
      .get('/fail')
      .catch((e: unknown) => e);

    expect((error as AxiosError).code).toBe('ERR_BAD_RESPONSE');
    expect((error as AxiosError).response?.status).toBe(503);
    expect((error as AxiosError).response?.headers['retry-after']).toBe('7');
  });

  it('cancels on the signal with ERR_CANCELED, also when it fired before the call', async () => {
    const pending = client()
      .get('/hang', { signal: AbortSignal.timeout(50) })
      .catch((e: unknown) => e);
    const early = client()
      .get('/hang', { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);

    expect(((await pending) as AxiosError).code).toBe('ERR_CANCELED');
    expect(((await early) as AxiosError).code).toBe('ERR_CANCELED');
  });

  it('times out an idle socket with ECONNABORTED when axios timeout is set', async () => {
    const error = await client({ timeout: 50 })
      .get('/hang')
      .catch((e: unknown) => e);

    expect((error as AxiosError).code).toBe('ECONNABORTED');
  });

  it('passes the errno of a refused connection', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const error = await client({ baseURL: `http://127.0.0.1:${port}` })
      .get('/x')
      .catch((e: unknown) => e);

    expect((error as AxiosError).code).toBe('ECONNREFUSED');
  });
});
