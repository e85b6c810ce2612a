import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { load, median, progress, startPinned, stop } from './lib';

/**
 * `npm run bench`: the gateway against a baseline measured in the same run, on a shared machine.
 * Every figure is a median over alternating repetitions; the claims are ratios, never absolute
 * times. `--smoke` runs each scenario once, briefly, so the bench cannot rot (npm test runs it).
 */
const smoke = process.argv.includes('--smoke');
const reps = smoke ? 1 : 3;
const seconds = smoke ? 1 : 10;
const root = join(__dirname, '..');
const tsx = ['--import', 'tsx'];
const SECRET = 'bench-secret-0123456789abcdefghijklmnopqrstuv';
const API_KEY = 'tk_bench_key';
const ACCOUNTS = smoke ? 2_000 : 20_000;
const MUTATION = JSON.stringify({ query: 'mutation { createSessionToken { token expiresAt linkedAccountId } }' });

const sign = (sub: string) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(SECRET));

async function cobaltCalls(emulatorUrl: string): Promise<number> {
  return ((await (await fetch(`${emulatorUrl}/__emulator/stats`)).json()) as { received: number }).received;
}

interface Run {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  readonly cpuPerRequestUs: number;
}

async function measure(url: string, pid: number, authorizations: readonly string[], seconds: number): Promise<Run> {
  const sample = await load({ url, body: MUTATION, seconds, authorizations, pid });
  return {
    rps: sample.requestsPerSecond,
    p99: sample.p99Ms,
    errors: sample.errors + sample.non2xx,
    cpuPerRequestUs: sample.cpuPerRequestUs ?? Number.NaN,
  };
}

function gatewayEnv(emulatorUrl: string): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    PORT: '0',
    COBALT_API_KEY: API_KEY,
    COBALT_BASE_URL: emulatorUrl,
    AUTH_JWT_SECRET: SECRET,
    TOKEN_CACHE_MAX_ENTRIES: '100000',
  };
}

async function startupMs(emulatorUrl: string): Promise<number> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist/main.js')], {
    env: { ...process.env, ...gatewayEnv(emulatorUrl), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /GraphQL\s+(\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
  });
  for (;;) {
    const res = await fetch(url.replace(/\/graphql$/, '/healthz')).catch(() => undefined);
    if (res?.status === 200) break;
  }
  const elapsed = performance.now() - startedAt;
  await stop(child);
  return elapsed;
}

async function main(): Promise<void> {
  process.env['BENCH_JWT_SECRET'] = SECRET;
  process.env['BENCH_API_KEY'] = API_KEY;
  process.env['BENCH_ACCOUNTS'] = String(ACCOUNTS);
  progress('bench: starting the emulator');
  const emulator = await startPinned([...tsx, join(__dirname, 'servers/emulator-server.ts')], {}, 1);
  const hot = [`Bearer ${await sign('bench-user-0')}`];
  progress(`bench: signing ${ACCOUNTS} bearer tokens for the cold path`);
  const cold: string[] = [];
  for (let i = 0; i < ACCOUNTS; i += 1) cold.push(`Bearer ${await sign(`bench-user-${i}`)}`);

  const samples = {
    gatewayCached: [] as Run[],
    baseline: [] as Run[],
    gatewayCold: [] as Run[],
    startup: [] as number[],
  };
  let cachedCobaltCalls = 0;
  for (let rep = 1; rep <= reps; rep += 1) {
    progress(`bench: baseline (bare Apollo + jose), rep ${rep}/${reps}`);
    const baseline = await startPinned([...tsx, join(__dirname, 'servers/baseline-apollo.ts')]);
    await measure(baseline.url, baseline.child.pid!, hot, 1);
    samples.baseline.push(await measure(baseline.url, baseline.child.pid!, hot, seconds));
    await stop(baseline.child);

    progress(`bench: gateway, cached mint path, rep ${rep}/${reps}`);
    const gateway = await startPinned([join(root, 'dist/main.js')], gatewayEnv(emulator.url));
    await measure(gateway.url, gateway.child.pid!, hot, 1); // warm-up fills the cache
    const callsBefore = await cobaltCalls(emulator.url);
    samples.gatewayCached.push(await measure(gateway.url, gateway.child.pid!, hot, seconds));
    cachedCobaltCalls += (await cobaltCalls(emulator.url)) - callsBefore;

    progress(`bench: gateway, cold path (cache misses, emulator at 0 ms), rep ${rep}/${reps}`);
    samples.gatewayCold.push(
      await measure(gateway.url, gateway.child.pid!, cold, Math.max(1, Math.floor(seconds / 2))),
    );
    await stop(gateway.child);

    progress(`bench: start-up time, rep ${rep}/${reps}`);
    samples.startup.push(await startupMs(emulator.url));
  }
  await stop(emulator.child);
  progress('');

  const m = (runs: Run[], key: keyof Run) => median(runs.map((r) => r[key]));
  const ratio = m(samples.gatewayCached, 'rps') / m(samples.baseline, 'rps');
  const results = {
    when: new Date().toISOString(),
    mode: smoke ? 'smoke' : 'full',
    repetitions: reps,
    secondsPerRun: seconds,
    baseline: {
      rps: m(samples.baseline, 'rps'),
      p99Ms: m(samples.baseline, 'p99'),
      cpuPerRequestUs: m(samples.baseline, 'cpuPerRequestUs'),
    },
    gatewayCached: {
      rps: m(samples.gatewayCached, 'rps'),
      p99Ms: m(samples.gatewayCached, 'p99'),
      cpuPerRequestUs: m(samples.gatewayCached, 'cpuPerRequestUs'),
      cobaltCallsDuringRun: cachedCobaltCalls,
      errors: samples.gatewayCached.reduce((sum, r) => sum + r.errors, 0),
    },
    gatewayCold: {
      rps: m(samples.gatewayCold, 'rps'),
      p99Ms: m(samples.gatewayCold, 'p99'),
      cpuPerMintUs: m(samples.gatewayCold, 'cpuPerRequestUs'),
    },
    cachedOverBaseline: ratio,
    startupMs: median(samples.startup),
  };

  const table = [
    `| scenario (50 connections, ${reps}×${seconds}s, medians) | req/s | p99 ms | CPU µs/request | target | met |`,
    '|---|---|---|---|---|---|',
    `| baseline: bare Apollo 5 + jose HS256, constant token | ${results.baseline.rps.toFixed(0)} | ${results.baseline.p99Ms} | ${results.baseline.cpuPerRequestUs.toFixed(0)} | | |`,
    `| gateway, cached mint | ${results.gatewayCached.rps.toFixed(0)} | ${results.gatewayCached.p99Ms} | ${results.gatewayCached.cpuPerRequestUs.toFixed(0)} | ≥ 1.3× baseline, p99 < 15 ms, 0 Cobalt calls | ${ratio >= 1.3 && results.gatewayCached.p99Ms < 15 && cachedCobaltCalls === 0 ? 'yes' : 'no'} |`,
    `| ratio cached / baseline | ${ratio.toFixed(2)}× | | | ≥ 1.3× | ${ratio >= 1.3 ? 'yes' : 'no'} |`,
    `| gateway, cold mint (cache miss) | ${results.gatewayCold.rps.toFixed(0)} | ${results.gatewayCold.p99Ms} | ${results.gatewayCold.cpuPerMintUs.toFixed(0)} | ≤ 250 µs CPU per mint | ${results.gatewayCold.cpuPerMintUs <= 250 ? 'yes' : 'no'} |`,
    `| start-up to /healthz 200 (dist/) | ${results.startupMs.toFixed(0)} ms | | | < 1 500 ms | ${results.startupMs < 1500 ? 'yes' : 'no'} |`,
    '',
    `Cobalt calls during the cached runs: ${cachedCobaltCalls}.`,
    '',
  ].join('\n');
  process.stdout.write(table);

  const outDir = join(__dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  const name = smoke ? 'smoke' : 'latest';
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, `${name}.svg`), chart(results));
  if (samples.gatewayCached.some((r) => r.errors > 0)) process.exitCode = 1;
}

function chart(results: {
  baseline: { rps: number };
  gatewayCached: { rps: number };
  gatewayCold: { rps: number };
  cachedOverBaseline: number;
  when: string;
}): string {
  const bars = [
    { label: 'bare Apollo + jose (baseline)', value: results.baseline.rps, color: '#9aa5b1' },
    { label: 'gateway, cached mint', value: results.gatewayCached.rps, color: '#2f6fde' },
    { label: 'gateway, cold mint', value: results.gatewayCold.rps, color: '#7aa7f0' },
  ];
  const max = Math.max(...bars.map((b) => b.value), 1);
  const rows = bars
    .map((b, i) => {
      const y = 50 + i * 44;
      const width = Math.round((b.value / max) * 420);
      return `<text x="10" y="${y + 20}" font-size="13">${b.label}</text><rect x="230" y="${y + 5}" width="${width}" height="24" fill="${b.color}"/><text x="${236 + width}" y="${y + 22}" font-size="13">${b.value.toFixed(0)} req/s</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="760" height="200" font-family="sans-serif"><rect width="760" height="200" fill="#fff"/><text x="10" y="25" font-size="15" font-weight="bold">cobalt-gateway: throughput on one pinned core (medians)</text>${rows}<text x="10" y="190" font-size="12" fill="#555">cached / baseline = ${results.cachedOverBaseline.toFixed(2)}× · ${results.when}</text></svg>\n`;
}

void main();
