import http from 'node:http';
import { join } from 'node:path';
import { ErrorCode } from '../src/errors/error-code';
import { FaultProxy } from '../test/support/fault-proxy';
import { newEncryptionKey, startTestRedis } from '../test/support/redis-server';
import { gatewayEnv, pinSelf, progress, signBearers, startBenchEmulator, startPinned, stop } from './lib';

/**
 * `npm run bench -- --soak [--seconds N]`: a mixed load at a fixed rate for 60 s against the built
 * gateway (pinned to CPU 0, Redis token cache), with Cobalt flapping behind a fault proxy and Redis
 * killed and restarted mid-run. It prints counts, never times: wrong-account tokens and untyped
 * errors must be 0, and the gateway's heap and handles must come back to their baseline once the
 * load stops. Too long for `npm test`, so it lives here.
 */

const ACCOUNTS = 300;
const HOT = 20;
const RATE = 150; // requests per second, open loop
const CLIENT_TIMEOUT_MS = 15_000; // past the gateway's own Cobalt deadline (10 s)
const CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

const MINT = 'mutation Mint($f: Boolean!) { createSessionToken(forceRefresh: $f) { token } }';
const INTEGRATIONS = 'query { integrations { slug } }';

interface Tally {
  readonly counts: Map<string, number>;
  wrongAccount: number;
  untyped: number;
  transport: number;
}

function accountOf(token: string): unknown {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
  return payload['linked_account_id'];
}

/** Sorts one answer into ok, a defined code, an untyped error or a wrong-account token. */
function classify(tally: Tally, account: string, status: number, text: string): void {
  const add = (key: string) => tally.counts.set(key, (tally.counts.get(key) ?? 0) + 1);
  let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: unknown } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    tally.untyped += 1;
    add(`untyped HTTP ${status}`);
    return;
  }
  const code = body.errors?.[0]?.extensions?.code;
  if (body.errors === undefined && (status === 200 || status === 503)) {
    const minted = body.data?.['createSessionToken'] as { token?: string } | undefined;
    if (minted?.token !== undefined && accountOf(minted.token) !== account) {
      tally.wrongAccount += 1;
      add('wrong-account token');
    } else add('ok');
    return;
  }
  if (typeof code === 'string' && CODES.has(code) && (status === 200 || (status === 503 && code === 'OVERLOADED'))) {
    add(code);
    return;
  }
  tally.untyped += 1;
  add(`untyped HTTP ${status} ${String(code)}`);
}

function send(
  agent: http.Agent,
  url: URL,
  authorization: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        timeout: CLIENT_TIMEOUT_MS,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The gateway's own heap, RSS and handles, from its default process metrics. */
async function footprint(gatewayUrl: string): Promise<{ heapMb: number; rssMb: number; handles: number }> {
  const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    heapMb: value('cobalt_gateway_nodejs_heap_size_used_bytes') / 2 ** 20,
    rssMb: value('cobalt_gateway_process_resident_memory_bytes') / 2 ** 20,
    handles: value('cobalt_gateway_nodejs_active_handles_total'),
  };
}

async function shedCount(gatewayUrl: string): Promise<number> {
  const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  let sum = 0;
  for (const [, count] of text.matchAll(/^cobalt_gateway_overload_shed_total\{[^}]*\} (\d+)/gm)) sum += Number(count);
  return sum;
}

/** Requests at `rate` per second for `seconds`, each checked; `at(second)` runs the fault schedule. */
async function drive(
  url: URL,
  bearers: readonly string[],
  seconds: number,
  tally: Tally,
  at: (second: number) => Promise<void>,
): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const pending = new Set<Promise<void>>();
  const total = RATE * seconds;
  const startedAt = performance.now();
  let sent = 0;
  let second = -1;
  while (sent < total) {
    const elapsed = (performance.now() - startedAt) / 1000;
    if (Math.floor(elapsed) > second) {
      second = Math.floor(elapsed);
      await at(second);
    }
    for (const due = Math.min(total, Math.floor(elapsed * RATE)); sent < due; sent += 1) {
      const i = sent;
      const index = i % 5 === 0 ? (i * 7919) % ACCOUNTS : i % HOT;
      const account = `bench-user-${index}`;
      const body =
        i % 10 === 3
          ? JSON.stringify({ query: INTEGRATIONS })
          : JSON.stringify({ query: MINT, variables: { f: i % 50 === 7 } });
      const done = send(agent, url, bearers[index]!, body).then(
        ({ status, text }) => classify(tally, account, status, text),
        (error: unknown) => {
          const key = `transport: ${error instanceof Error ? error.message : String(error)}`;
          tally.transport += 1;
          tally.counts.set(key, (tally.counts.get(key) ?? 0) + 1);
        },
      );
      pending.add(done);
      void done.then(() => pending.delete(done));
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(pending);
  agent.destroy();
  return sent;
}

export async function soak(seconds: number): Promise<void> {
  pinSelf(1);
  progress('soak: starting the emulator, the fault proxy and Redis');
  const emulator = await startBenchEmulator(ACCOUNTS);
  const proxy = await FaultProxy.start(emulator.url);
  const redis = await startTestRedis();
  const bearers = await signBearers(ACCOUNTS);
  const env = {
    ...gatewayEnv(proxy.url),
    REDIS_URL: redis.url,
    TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
    // The production defaults: shedding is part of what the soak holds the gateway to.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '200',
    OVERLOAD_MAX_IN_FLIGHT: '256',
  };
  const gateway = await startPinned(
    ['--expose-gc', '--require', join(__dirname, 'servers/gc-on-signal.cjs'), join(__dirname, '../dist/main.js')],
    env,
  );
  /** The footprint right after a full collection in the gateway. */
  const collected = async () => {
    gateway.child.kill('SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return footprint(gateway.url);
  };
  const url = new URL(gateway.url);
  const events: string[] = [];

  progress('soak: warming up (5 s of the same load, no faults)');
  const warm: Tally = { counts: new Map(), wrongAccount: 0, untyped: 0, transport: 0 };
  await drive(url, bearers, 5, warm, () => Promise.resolve());
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const baseline = await collected();
  const shedsBefore = await shedCount(gateway.url);

  const tally: Tally = { counts: new Map(), wrongAccount: 0, untyped: 0, transport: 0 };
  const third = Math.floor(seconds / 3);
  const schedule = new Map<number, () => Promise<void>>([
    [5, () => proxy.setFault({ kind: 'flap', bad: { kind: 'reset' }, everyMs: 2000 })],
    [third, () => redis.kill()],
    [third + 10, () => redis.restart()],
    [2 * third, () => proxy.setFault({ kind: 'flap', bad: { kind: 'blackhole' }, everyMs: 3000 })],
    [seconds - 8, () => proxy.setFault({ kind: 'pass' })],
  ]);
  const names = new Map([
    [5, 'Cobalt flapping (connection resets every other 2 s)'],
    [third, 'Redis killed (SIGKILL)'],
    [third + 10, 'Redis restarted (empty)'],
    [2 * third, 'Cobalt flapping (black hole every other 3 s)'],
    [seconds - 8, 'Cobalt healthy'],
  ]);
  const sent = await drive(url, bearers, seconds, tally, async (second) => {
    progress(`soak: ${second} s of ${seconds}, ${tally.counts.get('ok') ?? 0} ok`);
    const step = schedule.get(second);
    if (step === undefined) return;
    events.push(`${second} s: ${names.get(second) ?? ''}`);
    await step();
  });

  progress('soak: load stopped, letting the gateway settle for 5 s');
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const after = await collected();
  const sheds = (await shedCount(gateway.url)) - shedsBefore;
  const cobaltCalls = ((await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as { received: number })
    .received;
  await stop(gateway.child);
  await proxy.close();
  await redis.stop();
  await stop(emulator.child);

  // The caches hold the same accounts before and after, so a heap that stays above the baseline after a
  // full collection is what the run left behind.
  const heapBack = after.heapMb <= baseline.heapMb * 1.1 + 1;
  const handlesBack = after.handles <= baseline.handles + 2;
  process.stderr.write('\n');
  const lines = [
    `soak: ${seconds} s at ${RATE} req/s (mints of ${ACCOUNTS} accounts, ${HOT} hot; 1 in 50 forceRefresh; 1 in 10 integrations)`,
    ...events.map((event) => `  ${event}`),
    `warm-up (5 s, not counted below): ${[...warm.counts.entries()].map(([key, count]) => `${key} ${count}`).join(', ')}`,
    `requests sent: ${sent}`,
    ...[...tally.counts.entries()].sort((a, b) => b[1] - a[1]).map(([key, count]) => `  ${key}: ${count}`),
    `wrong-account tokens: ${tally.wrongAccount}`,
    `untyped errors: ${tally.untyped}`,
    `transport errors: ${tally.transport}`,
    `sheds counted by the gateway (after warm-up): ${sheds}`,
    `Cobalt requests received (warm-up included): ${cobaltCalls}`,
    `heap used after a full GC: baseline ${baseline.heapMb.toFixed(1)} MB, after ${after.heapMb.toFixed(1)} MB (${heapBack ? 'back' : 'NOT back'})`,
    `RSS: baseline ${baseline.rssMb.toFixed(1)} MB, after ${after.rssMb.toFixed(1)} MB`,
    `active handles: baseline ${baseline.handles}, after ${after.handles} (${handlesBack ? 'back' : 'NOT back'})`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const passed = tally.wrongAccount === 0 && tally.untyped === 0 && tally.transport === 0 && heapBack && handlesBack;
  process.stdout.write(`soak ${passed ? 'passed' : 'FAILED'}\n`);
  if (!passed) process.exitCode = 1;
}
