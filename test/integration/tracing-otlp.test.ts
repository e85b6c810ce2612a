import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { root, runProcess, waitFor, type Running } from '../support/built-process';
import { mintWithBearer } from '../support/mint';

/** The parts of an OTLP/HTTP JSON export (ExportTraceServiceRequest) this test reads. */
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string }[] }[];
  }[];
}

interface Receiver {
  readonly url: string;
  readonly exports: { headers: http.IncomingHttpHeaders; path: string; body: ExportRequest }[];
  close(): Promise<void>;
}

/** A minimal OTLP/HTTP collector on loopback: keeps every export it is sent and answers 200. */
async function startReceiver(): Promise<Receiver> {
  const exports: Receiver['exports'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      exports.push({
        headers: req.headers,
        path: req.url ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('tracing to a real OTLP/HTTP receiver (src/main.ts with OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  let receiver: Receiver;
  let running: Running;

  beforeAll(async () => {
    receiver = await startReceiver();
    running = runProcess(join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      PORT: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20otlp-canary-credential',
      OTEL_SERVICE_NAME: 'gateway-under-test',
    });
    await waitFor(running, /curl -s .*\n/, 30_000);
  }, 40_000);
  afterAll(async () => {
    if (running.child.exitCode === null) running.child.kill('SIGKILL');
    await receiver.close();
  });

  it('exports a mint’s spans, in the caller’s trace, with the configured name and headers, at shutdown', async () => {
    const url = /GraphQL\s+(\S+)/.exec(running.stdout)![1]!;
    const bearer = /^ {2}(eyJ\S+)$/m.exec(running.stdout)![1]!;
    const traceId = randomBytes(16).toString('hex');
    const minted = await mintWithBearer(url, bearer, {
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(minted.data?.token).toBeDefined();

    // Shutdown flushes the batch: no waiting on the export interval.
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);

    expect(receiver.exports.length).toBeGreaterThan(0);
    for (const sent of receiver.exports) {
      expect(sent.path).toBe('/v1/traces');
      expect(sent.headers['content-type']).toMatch(/^application\/json/);
      expect(sent.headers['authorization']).toBe('Bearer otlp-canary-credential');
    }
    const resourceSpans = receiver.exports.flatMap((sent) => sent.body.resourceSpans);
    const serviceNames = resourceSpans.map(
      (r) => r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
    );
    expect(new Set(serviceNames)).toEqual(new Set(['gateway-under-test']));
    const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const names = spans.filter((span) => span.traceId === traceId).map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'POST /graphql',
        'mutation createSessionToken',
        'jwt.verify',
        'token-cache.lookup',
        'POST /api/v2/public/session-token',
      ]),
    );
    // The export credential is a secret: the gateway's output never shows it.
    expect(running.stdout + running.stderr).not.toContain('otlp-canary-credential');
    expect(running.stdout).toMatch(/"tracing":"on"/);
  });
});
