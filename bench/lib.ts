import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';

export const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuv';
export const API_KEY = 'tk_bench_key';
export const MUTATION = JSON.stringify({
  query: 'mutation { createSessionToken { token expiresAt linkedAccountId } }',
});

const MANIFEST = join(__dirname, '../client/generated/persisted-documents.json');

/** The same mint as a trusted document: its id from the codegen manifest, no text. */
export const TRUSTED_MUTATION = JSON.stringify({
  documentId: Object.entries(JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>).find(([, text]) =>
    text.startsWith('mutation CreateSessionToken'),
  )?.[0],
});

/** An HS256 bearer token for `sub` (the gateway's default linked-account claim). */
export const sign = (sub: string): Promise<string> =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(SECRET));

/** The gateway's environment for the bench: production mode against the emulator at `emulatorUrl`. */
export function gatewayEnv(emulatorUrl: string): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    PORT: '0',
    COBALT_API_KEY: API_KEY,
    COBALT_BASE_URL: emulatorUrl,
    AUTH_JWT_SECRET: SECRET,
    TOKEN_CACHE_MAX_ENTRIES: '100000',
    // The bench measures the mint pipeline, not the abuse controls refusing it: one bench client is
    // one IP minting thousands of times a second, and the cold path calls Cobalt far past 20/s.
    RATE_LIMIT_MINTS_PER_MINUTE: '1000000',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    COBALT_MAX_RPS: '100000',
    // Likewise load shedding: on a shared core a 503 would be counted as an error of the pipeline.
    // The soak turns it back on.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    OVERLOAD_MAX_IN_FLIGHT: '0',
    TRUSTED_DOCUMENTS_MANIFEST: MANIFEST,
  };
}

export interface Sample {
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  /** Server CPU (user + system) per completed request, when its pid was given. */
  readonly cpuPerRequestUs: number | undefined;
}

export interface LoadOptions {
  readonly url: string;
  readonly body: string;
  readonly seconds: number;
  /** Sent in turn, one per request (e.g. many users' bearer tokens). */
  readonly authorizations?: readonly string[];
  /** The server's pid, to measure the CPU it spends (Linux /proc). */
  readonly pid?: number;
}

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Moves this process (the load generator) to `cpu`, away from the server's core. */
export function pinSelf(cpu: number): void {
  if (hasTaskset) spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)]);
}

/** Starts a server script pinned to CPU 0 (when taskset exists) and resolves with the URL it prints. */
export async function startPinned(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cpu = 0,
): Promise<{ url: string; child: ChildProcess }> {
  const command = hasTaskset ? 'taskset' : process.execPath;
  const fullArgs = hasTaskset ? ['-c', String(cpu), process.execPath, ...args] : args;
  const child = spawn(command, fullArgs, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      // The gateway's banner line, or the bare URL the bench servers print.
      const match = /GraphQL\s+(http:\/\/\S+)|^(http:\/\/\S+)/m.exec(out);
      const found = match?.[1] ?? match?.[2];
      if (found === undefined) return;
      child.stdout.off('data', onData);
      child.stdout.resume(); // keep draining the server's logs, without keeping them
      resolve(found);
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${String(code)}`)));
  });
  return { url, child };
}

/**
 * The bench's Cobalt emulator (its own process, pinned to CPU 1 with the load generator) knowing
 * `bench-user-0` … `bench-user-{accounts-1}`.
 */
export function startBenchEmulator(accounts: number): Promise<{ url: string; child: ChildProcess }> {
  process.env['BENCH_JWT_SECRET'] = SECRET;
  process.env['BENCH_API_KEY'] = API_KEY;
  process.env['BENCH_ACCOUNTS'] = String(accounts);
  return startPinned(['--import', 'tsx', join(__dirname, 'servers/emulator-server.ts')], {}, 1);
}

/** `Authorization` values for `bench-user-0` … `bench-user-{count-1}`. */
export async function signBearers(count: number): Promise<string[]> {
  const authorizations: string[] = [];
  for (let i = 0; i < count; i += 1) authorizations.push(`Bearer ${await sign(`bench-user-${i}`)}`);
  return authorizations;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** 50 connections of POSTs for `seconds`, from this process. */
export async function load(options: LoadOptions): Promise<Sample> {
  const { authorizations, pid } = options;
  let next = 0;
  const cpuBefore = pid === undefined ? undefined : cpuSeconds(pid);
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    connections: 50,
    duration: options.seconds,
    headers: { 'content-type': 'application/json' },
    body: options.body,
    ...(authorizations !== undefined && {
      requests: [
        {
          setupRequest: (request) => {
            next = (next + 1) % authorizations.length;
            return { ...request, headers: { ...request.headers, authorization: authorizations[next]! } };
          },
        },
      ],
    }),
  });
  const total = result.requests.total;
  const cpu = pid === undefined || cpuBefore === undefined ? undefined : cpuSeconds(pid) - cpuBefore;
  return {
    requestsPerSecond: result.requests.average,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    cpuPerRequestUs: cpu === undefined || total === 0 ? undefined : (cpu / total) * 1e6,
  };
}

export interface PacedOptions {
  readonly url: string;
  readonly body: string;
  readonly authorization: string;
  /** Requests per second, sent at even intervals whatever the answers do (open loop). */
  readonly rate: number;
  readonly seconds: number;
  /** Keep-alive connections at most; requests beyond them wait for one (and that wait counts). */
  readonly connections: number;
}

/**
 * p99 latency at a fixed offered rate. autocannon's `overallRate` lets every connection send its
 * quota for the second at once and then pause, so its p99 measures that burst, not the server.
 * Here request i is due at start + i / rate and its latency runs from that moment, so a server that
 * falls behind pays for every request it delayed (no coordinated omission).
 */
export async function paced(options: PacedOptions): Promise<{ p99Ms: number; sent: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  let errors = 0;
  const pending = new Set<Promise<void>>();
  const send = (dueAt: number) => {
    const done = new Promise<void>((resolve) => {
      const req = http.request(
        options.url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(options.body),
            authorization: options.authorization,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - dueAt);
            else errors += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(options.body);
    });
    pending.add(done);
    void done.then(() => pending.delete(done));
  };
  const total = Math.round(options.rate * options.seconds);
  const startedAt = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - startedAt) / 1000) * options.rate));
      for (; sent < due; sent += 1) send(startedAt + (sent * 1000) / options.rate);
      if (sent >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 1);
  });
  await Promise.all(pending);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
  return { p99Ms: Math.round(p99 * 10) / 10, sent, errors };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A progress line on stderr, rewritten in place when it is a terminal. */
export function progress(message: string): void {
  process.stderr.write(process.stderr.isTTY ? `\r\u001b[2K${message}` : `${message}\n`);
}
