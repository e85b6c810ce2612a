import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { pino } from 'pino';
import { CobaltDataSource } from '../src/cobalt/cobalt.data-source';
import { createNodeHttpAdapter } from '../src/cobalt/node-http-adapter';
import { Secret } from '../src/config/secret';
import { median, progress, startPinned, stop } from './lib';

/**
 * Where a cold mint's CPU goes on the client side: the same `POST /session-token` against the
 * emulator (its own process, pinned to the other core, so its CPU is not counted), made by a plain
 * `node:http` request, by axios in several configurations, and by the real CobaltDataSource.
 * Prints the median CPU (user + system of this process) per call.
 * Usage: taskset -c 0 node --import tsx bench/cobalt-client.ts [--calls 4000] [--reps 3] [--only <name part>]
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]) || fallback;
};
const calls = option('--calls', 4000);
const reps = option('--reps', 3);
const concurrency = 8;
const API_KEY = 'tk_bench_key';
const ACCOUNTS = 1000;
const PATH = '/api/v2/public/session-token';

type Call = (accountId: string) => Promise<unknown>;

function axiosCall(client: AxiosInstance): Call {
  return async (accountId) => {
    const response = await client.post<string>(PATH, JSON.stringify({ linked_account_id: accountId }), {
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    });
    return response.data;
  };
}

function axiosSignalCall(client: AxiosInstance): Call {
  return async (accountId) => {
    const response = await client.request<string>({
      method: 'POST',
      url: PATH,
      headers: { 'x-api-key': API_KEY },
      data: JSON.stringify({ linked_account_id: accountId }),
      signal: AbortSignal.timeout(2000),
    });
    return JSON.parse(response.data) as unknown;
  };
}

function nodeHttpCall(baseUrl: string): Call {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const { hostname, port } = new URL(baseUrl);
  return (accountId) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ linked_account_id: accountId });
      const req = http.request(
        {
          agent,
          hostname,
          port,
          path: PATH,
          method: 'POST',
          headers: { 'x-api-key': API_KEY, 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function variants(baseUrl: string): Record<string, Call> {
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const text = { responseType: 'text' as const, transformResponse: [(d: unknown) => d] };
  // What CobaltDataSource gives axios.create, minus the adapter.
  const gatewayConfig = {
    baseURL: baseUrl,
    timeout: 2000,
    maxRedirects: 0,
    maxContentLength: 1024 * 1024,
    validateStatus: () => true,
    httpAgent: keepAlive,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    ...text,
  };
  return {
    'node:http, keep-alive agent (floor)': nodeHttpCall(baseUrl),
    'axios defaults': axiosCall(axios.create({ baseURL: baseUrl })),
    'axios + keep-alive agent': axiosCall(axios.create({ baseURL: baseUrl, httpAgent: keepAlive })),
    'axios + keep-alive + maxRedirects 0': axiosCall(
      axios.create({ baseURL: baseUrl, httpAgent: keepAlive, maxRedirects: 0 }),
    ),
    'axios + keep-alive + maxRedirects 0 + text, no transform': axiosCall(
      axios.create({ baseURL: baseUrl, httpAgent: keepAlive, maxRedirects: 0, ...text }),
    ),
    'axios fetch adapter': axiosCall(axios.create({ baseURL: baseUrl, adapter: 'fetch', ...text })),
    'axios core only (adapter answers without I/O)': axiosCall(
      axios.create({
        baseURL: baseUrl,
        ...text,
        adapter: (config) =>
          Promise.resolve({ data: '{"token":"x"}', status: 200, statusText: 'OK', headers: {}, config }),
      }),
    ),
    "before: the gateway's axios config on axios's http adapter": axiosSignalCall(axios.create(gatewayConfig)),
    'same, proxy: false (no proxy lookup in the environment)': axiosSignalCall(
      axios.create({ ...gatewayConfig, proxy: false }),
    ),
    'after: the same config on the lean adapter (src/cobalt/node-http-adapter.ts)': axiosSignalCall(
      axios.create({
        ...gatewayConfig,
        adapter: createNodeHttpAdapter({ httpAgent: keepAlive, httpsAgent: new https.Agent({ keepAlive: true }) }),
      }),
    ),
    'CobaltDataSource.createSessionToken (the whole call: timer, parse, checks)': (() => {
      const source = new CobaltDataSource({
        baseUrl,
        apiKey: new Secret(API_KEY),
        timeoutMs: 2000,
        deadlineMs: 5000,
        maxRetries: 0,
        log: pino({ level: 'info' }),
      });
      return (accountId: string) => source.createSessionToken(accountId);
    })(),
  };
}

async function cpuPerCall(call: Call, count: number): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await call(`bench-user-${next % ACCOUNTS}`);
      }
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

async function main(): Promise<void> {
  process.env['BENCH_API_KEY'] = API_KEY;
  process.env['BENCH_ACCOUNTS'] = String(ACCOUNTS);
  const emulator = await startPinned(['--import', 'tsx', join(__dirname, 'servers/emulator-server.ts')], {}, 1);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const all = Object.fromEntries(
    Object.entries(variants(emulator.url)).filter(([name]) => only === undefined || name.includes(only)),
  );
  const samples = new Map<string, number[]>(Object.keys(all).map((name) => [name, []]));
  for (const [name, call] of Object.entries(all)) await cpuPerCall(call, 500).catch(() => name); // warm-up
  for (let rep = 1; rep <= reps; rep += 1) {
    for (const [name, call] of Object.entries(all)) {
      progress(`cobalt-client: ${name}, rep ${rep}/${reps}`);
      samples.get(name)!.push(await cpuPerCall(call, calls));
    }
  }
  progress('');
  await stop(emulator.child);
  const floor = median(samples.get('node:http, keep-alive agent (floor)') ?? [Number.NaN]);
  const lines = [
    `| client (${concurrency} in flight, ${reps}×${calls} calls, medians) | CPU µs per call | × node:http |`,
    '|---|---|---|',
    ...[...samples].map(([name, values]) => {
      const us = median(values);
      return `| ${name} | ${us.toFixed(0)} | ${(us / floor).toFixed(2)}× |`;
    }),
    '',
  ];
  process.stdout.write(lines.join('\n'));
  process.exit(0);
}

void main();
