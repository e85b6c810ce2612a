import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  gatewayEnv,
  load,
  median,
  MUTATION,
  paced,
  pinSelf,
  progress,
  signBearers,
  startBenchEmulator,
  startPinned,
  stop,
  TRUSTED_MUTATION,
} from './lib';
import { newEncryptionKey, startTestRedis } from '../test/support/redis-server';
import { soak } from './soak';

/**
 * `npm run bench`: the gateway against a baseline measured in the same run, on a shared machine.
 * Every figure is a median over alternating repetitions; the claims are ratios, never absolute
 * times. `--smoke` runs each scenario once, briefly, so the bench cannot rot (npm test runs it).
 */
const smoke = process.argv.includes('--smoke');
// `--trusted`: only the trusted-documents rows (issue 15's targets), e.g. `--trusted --reps 3 --seconds 5`.
const trustedOnly = process.argv.includes('--trusted');
const flag = (name: string) => Number(process.argv[process.argv.indexOf(name) + 1]) || undefined;
const reps = flag('--reps') ?? (smoke ? 1 : 3);
const seconds = flag('--seconds') ?? (smoke ? 1 : 10);
const root = join(__dirname, '..');
const tsx = ['--import', 'tsx'];
const fixedSeconds = smoke ? 1 : 5;
const ACCOUNTS = smoke ? 2_000 : 20_000;
const FIXED_RATE_SHARE = 0.5;
// The issue's anchors on a quiet core: CPU per cold mint ≤ 250 µs where the baseline costs ≈ 165 µs.
// On a shared machine only the ratio to the baseline measured in the same run carries over.
const COLD_CPU_TARGET_US = 250;
const BASELINE_ANCHOR_CPU_US = 165;
const P99_TARGET_MS = 15;
// Issue 15: the cached mint by trusted document against bare node:http and bare Apollo, and its cold CPU.
const TRUSTED_OVER_NODE_TARGET = 0.5;
const TRUSTED_OVER_APOLLO_TARGET = 4;
const TRUSTED_COLD_CPU_TARGET_US = 600;

async function cobaltCalls(emulatorUrl: string): Promise<number> {
  return ((await (await fetch(`${emulatorUrl}/__emulator/stats`)).json()) as { received: number }).received;
}

/**
 * Operations the gateway answered with an error, from its own metrics. A run full of refusals
 * (rate limits, auth) would measure the wrong thing, so the bench stops on any.
 */
async function failedOperations(gatewayUrl: string): Promise<number> {
  const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  let failed = 0;
  for (const [, outcome, count] of text.matchAll(
    /^cobalt_gateway_graphql_requests_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)/gm,
  )) {
    if (outcome !== 'ok') failed += Number(count);
  }
  return failed;
}

interface Run {
  readonly rps: number;
  readonly p99: number;
  readonly errors: number;
  readonly cpuPerRequestUs: number;
}

async function measure(
  url: string,
  pid: number,
  authorizations: readonly string[],
  seconds: number,
  body = MUTATION,
): Promise<Run> {
  const sample = await load({ url, body, seconds, authorizations, pid });
  return {
    rps: sample.requestsPerSecond,
    p99: sample.p99Ms,
    errors: sample.errors + sample.non2xx,
    cpuPerRequestUs: sample.cpuPerRequestUs ?? Number.NaN,
  };
}

async function fixedRate(url: string, authorization: string, rate: number): Promise<Run> {
  const sample = await paced({ url, body: MUTATION, authorization, rate, seconds: fixedSeconds, connections: 50 });
  return { rps: rate, p99: sample.p99Ms, errors: sample.errors, cpuPerRequestUs: Number.NaN };
}

/** A token cache event count from the gateway's metrics (`l1Hits`, `l2Reads`…). */
async function cacheEvents(gatewayUrl: string, event: string): Promise<number> {
  const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  const match = new RegExp(`^cobalt_gateway_token_cache_events_total\\{event="${event}"\\} (\\d+)`, 'm').exec(text);
  return Number(match?.[1] ?? 0);
}

/**
 * The cached mint with a Redis token cache (a local redis-server), with the in-process tier on or
 * off (`TOKEN_CACHE_L1_TTL_S=0`), and how many Redis reads each mint cost during the run.
 */
async function cachedWithRedis(
  emulatorUrl: string,
  redisUrl: string,
  l1TtlS: string,
  hot: readonly string[],
): Promise<Run & { redisReadsPerMint: number }> {
  const env = { ...gatewayEnv(emulatorUrl), REDIS_URL: redisUrl, TOKEN_ENCRYPTION_KEY: newEncryptionKey() };
  const gateway = await startPinned([join(root, 'dist/main.js')], { ...env, TOKEN_CACHE_L1_TTL_S: l1TtlS });
  await measure(gateway.url, gateway.child.pid!, hot, 1);
  const readsBefore = await cacheEvents(gateway.url, 'l2Reads');
  const hitsBefore = await cacheEvents(gateway.url, 'hits');
  const run = await measure(gateway.url, gateway.child.pid!, hot, seconds);
  const reads = (await cacheEvents(gateway.url, 'l2Reads')) - readsBefore;
  const hits = (await cacheEvents(gateway.url, 'hits')) - hitsBefore;
  await stop(gateway.child);
  // Without the tier there is no l2Reads counter: every cached mint is one Redis read.
  return { ...run, redisReadsPerMint: l1TtlS === '0' ? 1 : reads / Math.max(1, hits) };
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
  if (process.argv.includes('--soak')) {
    const at = process.argv.indexOf('--seconds');
    await soak(at === -1 ? 60 : Number(process.argv[at + 1]));
    return;
  }
  pinSelf(1); // the load generator shares the emulator's core, never the server's
  progress('bench: starting the emulator');
  const emulator = await startBenchEmulator(ACCOUNTS);
  progress(`bench: signing ${ACCOUNTS} bearer tokens for the cold path`);
  const cold = await signBearers(ACCOUNTS);
  const hot = cold.slice(0, 1);
  // Cold mints by full document and by trusted document each need accounts the other has not cached.
  const coldFull = cold.slice(0, ACCOUNTS / 2);
  const coldTrusted = cold.slice(ACCOUNTS / 2);
  const redis = await startTestRedis();

  const samples = {
    gatewayCached: [] as Run[],
    gatewayTrusted: [] as Run[],
    baseline: [] as Run[],
    gatewayFixedRate: [] as Run[],
    baselineFixedRate: [] as Run[],
    gatewayCold: [] as Run[],
    gatewayTrustedCold: [] as Run[],
    nodeHttp: [] as Run[],
    gatewayCachedRedisL1: [] as (Run & { redisReadsPerMint: number })[],
    gatewayCachedRedisOnly: [] as (Run & { redisReadsPerMint: number })[],
    startup: [] as number[],
    offeredRate: [] as number[],
  };
  let cachedCobaltCalls = 0;
  for (let rep = 1; rep <= reps; rep += 1) {
    progress(`bench: bare node:http, fixed JSON body, rep ${rep}/${reps}`);
    const bare = await startPinned([...tsx, join(__dirname, 'servers/baseline-node-http.ts')]);
    await measure(bare.url, bare.child.pid!, hot, 1);
    samples.nodeHttp.push(await measure(bare.url, bare.child.pid!, hot, seconds));
    await stop(bare.child);

    progress(`bench: baseline (bare Apollo + jose), rep ${rep}/${reps}`);
    const baseline = await startPinned([...tsx, join(__dirname, 'servers/baseline-apollo.ts')]);
    await measure(baseline.url, baseline.child.pid!, hot, 1);
    const baselineRun = await measure(baseline.url, baseline.child.pid!, hot, seconds);
    samples.baseline.push(baselineRun);
    // Latency is judged at a fixed offered rate (half what the baseline sustained in this rep), the
    // same for both servers: at saturation p99 is only queue length over throughput (see README).
    const rate = baselineRun.rps * FIXED_RATE_SHARE;
    samples.offeredRate.push(rate);
    if (!trustedOnly) {
      progress(`bench: baseline at a fixed ${rate.toFixed(0)} req/s, rep ${rep}/${reps}`);
      samples.baselineFixedRate.push(await fixedRate(baseline.url, hot[0]!, rate));
    }
    await stop(baseline.child);

    progress(`bench: gateway, cached mint path, rep ${rep}/${reps}`);
    const gateway = await startPinned([join(root, 'dist/main.js')], gatewayEnv(emulator.url));
    await measure(gateway.url, gateway.child.pid!, hot, 1); // warm-up fills the cache
    // Both bodies warm before either is measured: in 1 s runs, whichever ran second won by JIT warm-up.
    await measure(gateway.url, gateway.child.pid!, hot, 1, TRUSTED_MUTATION);
    const callsBefore = await cobaltCalls(emulator.url);
    samples.gatewayCached.push(await measure(gateway.url, gateway.child.pid!, hot, seconds));
    progress(`bench: gateway, cached mint by trusted document, rep ${rep}/${reps}`);
    samples.gatewayTrusted.push(await measure(gateway.url, gateway.child.pid!, hot, seconds, TRUSTED_MUTATION));
    if (!trustedOnly) {
      progress(`bench: gateway, cached mint path at a fixed ${rate.toFixed(0)} req/s, rep ${rep}/${reps}`);
      samples.gatewayFixedRate.push(await fixedRate(gateway.url, hot[0]!, rate));
    }
    cachedCobaltCalls += (await cobaltCalls(emulator.url)) - callsBefore;

    const coldSeconds = Math.max(1, Math.floor(seconds / 2));
    progress(`bench: gateway, cold path (cache misses, emulator at 0 ms), rep ${rep}/${reps}`);
    samples.gatewayCold.push(await measure(gateway.url, gateway.child.pid!, coldFull, coldSeconds));
    progress(`bench: gateway, cold path by trusted document, rep ${rep}/${reps}`);
    samples.gatewayTrustedCold.push(
      await measure(gateway.url, gateway.child.pid!, coldTrusted, coldSeconds, TRUSTED_MUTATION),
    );
    const failed = await failedOperations(gateway.url);
    if (failed > 0)
      throw new Error(`the gateway answered ${failed} operations with an error: the figures would be wrong`);
    await stop(gateway.child);
    if (trustedOnly) continue;

    progress(`bench: gateway, cached mint with Redis (in-process tier on, then off), rep ${rep}/${reps}`);
    samples.gatewayCachedRedisL1.push(await cachedWithRedis(emulator.url, redis.url, '60', hot));
    samples.gatewayCachedRedisOnly.push(await cachedWithRedis(emulator.url, redis.url, '0', hot));

    progress(`bench: start-up time, rep ${rep}/${reps}`);
    samples.startup.push(await startupMs(emulator.url));
  }
  await stop(emulator.child);
  await redis.stop();
  progress('');

  const m = (runs: Run[], key: keyof Run) => median(runs.map((r) => r[key]));
  const ratio = m(samples.gatewayCached, 'rps') / m(samples.baseline, 'rps');
  const cpuRatio = m(samples.baseline, 'cpuPerRequestUs') / m(samples.gatewayCached, 'cpuPerRequestUs');
  const coldOverBaselineCpu = m(samples.gatewayCold, 'cpuPerRequestUs') / m(samples.baseline, 'cpuPerRequestUs');
  const coldTargetRatio = COLD_CPU_TARGET_US / BASELINE_ANCHOR_CPU_US;
  const memory = trustedOnly ? { tokens: 0, mb: Number.NaN } : tokenCacheMemory(smoke ? 10_000 : 100_000);
  const results = {
    when: new Date().toISOString(),
    mode: smoke ? 'smoke' : 'full',
    repetitions: reps,
    secondsPerRun: seconds,
    baseline: {
      rps: m(samples.baseline, 'rps'),
      p99Ms: m(samples.baseline, 'p99'),
      cpuPerRequestUs: m(samples.baseline, 'cpuPerRequestUs'),
      p99MsAtFixedRate: m(samples.baselineFixedRate, 'p99'),
    },
    gatewayCached: {
      rps: m(samples.gatewayCached, 'rps'),
      p99Ms: m(samples.gatewayCached, 'p99'),
      cpuPerRequestUs: m(samples.gatewayCached, 'cpuPerRequestUs'),
      p99MsAtFixedRate: m(samples.gatewayFixedRate, 'p99'),
      cobaltCallsDuringRun: cachedCobaltCalls,
      errors: [...samples.gatewayCached, ...samples.gatewayFixedRate].reduce((sum, r) => sum + r.errors, 0),
    },
    gatewayTrusted: {
      rps: m(samples.gatewayTrusted, 'rps'),
      p99Ms: m(samples.gatewayTrusted, 'p99'),
      cpuPerRequestUs: m(samples.gatewayTrusted, 'cpuPerRequestUs'),
      overBaseline: m(samples.gatewayTrusted, 'rps') / m(samples.baseline, 'rps'),
      overNodeHttp: m(samples.gatewayTrusted, 'rps') / m(samples.nodeHttp, 'rps'),
      overFullDocument: m(samples.gatewayTrusted, 'rps') / m(samples.gatewayCached, 'rps'),
      cold: {
        rps: m(samples.gatewayTrustedCold, 'rps'),
        p99Ms: m(samples.gatewayTrustedCold, 'p99'),
        cpuPerMintUs: m(samples.gatewayTrustedCold, 'cpuPerRequestUs'),
      },
    },
    nodeHttp: {
      rps: m(samples.nodeHttp, 'rps'),
      p99Ms: m(samples.nodeHttp, 'p99'),
      cpuPerRequestUs: m(samples.nodeHttp, 'cpuPerRequestUs'),
    },
    fixedRate: { share: FIXED_RATE_SHARE, rps: median(samples.offeredRate), seconds: fixedSeconds },
    gatewayCold: {
      rps: m(samples.gatewayCold, 'rps'),
      p99Ms: m(samples.gatewayCold, 'p99'),
      cpuPerMintUs: m(samples.gatewayCold, 'cpuPerRequestUs'),
      cpuOverBaseline: coldOverBaselineCpu,
    },
    cachedOverBaseline: ratio,
    cachedOverBaselineByCpu: cpuRatio,
    gatewayCachedRedis: {
      l1: {
        rps: m(samples.gatewayCachedRedisL1, 'rps'),
        p99Ms: m(samples.gatewayCachedRedisL1, 'p99'),
        cpuPerRequestUs: m(samples.gatewayCachedRedisL1, 'cpuPerRequestUs'),
        redisReadsPerMint: median(samples.gatewayCachedRedisL1.map((r) => r.redisReadsPerMint)),
      },
      redisOnly: {
        rps: m(samples.gatewayCachedRedisOnly, 'rps'),
        p99Ms: m(samples.gatewayCachedRedisOnly, 'p99'),
        cpuPerRequestUs: m(samples.gatewayCachedRedisOnly, 'cpuPerRequestUs'),
      },
    },
    tokenCacheMemory: memory,
    startupMs: median(samples.startup),
  };

  const yes = (ok: boolean) => (ok ? 'yes' : 'no');
  const trusted = results.gatewayTrusted;
  const trustedTable = [
    `| trusted documents (server on one pinned core; ${reps}×${seconds}s runs, medians) | measured | target | met |`,
    '|---|---|---|---|',
    `| cached mint by trusted document / bare node:http | ${trusted.overNodeHttp.toFixed(2)}× (${trusted.rps.toFixed(0)} vs ${results.nodeHttp.rps.toFixed(0)} req/s) | ≥ ${TRUSTED_OVER_NODE_TARGET}× | ${yes(trusted.overNodeHttp >= TRUSTED_OVER_NODE_TARGET)} |`,
    `| cached mint by trusted document / bare Apollo | ${trusted.overBaseline.toFixed(2)}× (${trusted.rps.toFixed(0)} vs ${results.baseline.rps.toFixed(0)} req/s) | ≥ ${TRUSTED_OVER_APOLLO_TARGET}× | ${yes(trusted.overBaseline >= TRUSTED_OVER_APOLLO_TARGET)} |`,
    `| same, from CPU per request (node:http ÷ trusted) | ${(results.nodeHttp.cpuPerRequestUs / trusted.cpuPerRequestUs).toFixed(2)}× (${trusted.cpuPerRequestUs.toFixed(0)} vs ${results.nodeHttp.cpuPerRequestUs.toFixed(0)} µs) | ≥ ${TRUSTED_OVER_NODE_TARGET}× | ${yes(results.nodeHttp.cpuPerRequestUs / trusted.cpuPerRequestUs >= TRUSTED_OVER_NODE_TARGET)} |`,
    `| same, from CPU per request (Apollo ÷ trusted) | ${(results.baseline.cpuPerRequestUs / trusted.cpuPerRequestUs).toFixed(2)}× (${trusted.cpuPerRequestUs.toFixed(0)} vs ${results.baseline.cpuPerRequestUs.toFixed(0)} µs) | ≥ ${TRUSTED_OVER_APOLLO_TARGET}× | ${yes(results.baseline.cpuPerRequestUs / trusted.cpuPerRequestUs >= TRUSTED_OVER_APOLLO_TARGET)} |`,
    `| cold mint by trusted document, CPU per mint | ${trusted.cold.cpuPerMintUs.toFixed(0)} µs (full document ${results.gatewayCold.cpuPerMintUs.toFixed(0)} µs) | ≤ ${TRUSTED_COLD_CPU_TARGET_US} µs | ${yes(trusted.cold.cpuPerMintUs <= TRUSTED_COLD_CPU_TARGET_US)} |`,
    '',
    `| scenario | req/s | p99 ms | CPU µs/request |`,
    '|---|---|---|---|',
    `| bare node:http, fixed JSON body | ${results.nodeHttp.rps.toFixed(0)} | ${results.nodeHttp.p99Ms} | ${results.nodeHttp.cpuPerRequestUs.toFixed(0)} |`,
    `| bare Apollo 5 standalone + jose HS256, constant token | ${results.baseline.rps.toFixed(0)} | ${results.baseline.p99Ms} | ${results.baseline.cpuPerRequestUs.toFixed(0)} |`,
    `| gateway, cached mint by full document | ${results.gatewayCached.rps.toFixed(0)} | ${results.gatewayCached.p99Ms} | ${results.gatewayCached.cpuPerRequestUs.toFixed(0)} |`,
    `| gateway, cached mint by trusted document | ${trusted.rps.toFixed(0)} | ${trusted.p99Ms} | ${trusted.cpuPerRequestUs.toFixed(0)} |`,
    `| gateway, cold mint by full document | ${results.gatewayCold.rps.toFixed(0)} | ${results.gatewayCold.p99Ms} | ${results.gatewayCold.cpuPerMintUs.toFixed(0)} |`,
    `| gateway, cold mint by trusted document | ${trusted.cold.rps.toFixed(0)} | ${trusted.cold.p99Ms} | ${trusted.cold.cpuPerMintUs.toFixed(0)} |`,
    `| ratios: trusted / full document ${trusted.overFullDocument.toFixed(2)}×, trusted / node:http ${trusted.overNodeHttp.toFixed(2)}×, trusted / Apollo ${trusted.overBaseline.toFixed(2)}× | | | |`,
    '',
  ].join('\n');
  if (trustedOnly) {
    process.stdout.write(trustedTable);
    writeFileSync(join(__dirname, 'results', 'trusted.json'), `${JSON.stringify(results, null, 2)}\n`);
    if ([...samples.gatewayCached, ...samples.gatewayTrusted].some((r) => r.errors > 0)) process.exitCode = 1;
    return;
  }
  const p99Ok = results.gatewayCached.p99MsAtFixedRate < P99_TARGET_MS;
  const table = [
    `| target (server on one pinned core; ${reps}×${seconds}s runs, medians) | measured | target | met |`,
    '|---|---|---|---|',
    `| 1. cached mint throughput / baseline (50 connections) | ${ratio.toFixed(2)}× (${results.gatewayCached.rps.toFixed(0)} vs ${results.baseline.rps.toFixed(0)} req/s) | ≥ 1.3× | ${yes(ratio >= 1.3)} |`,
    `| 1. same, from CPU per request (baseline ÷ gateway) | ${cpuRatio.toFixed(2)}× (${results.gatewayCached.cpuPerRequestUs.toFixed(0)} vs ${results.baseline.cpuPerRequestUs.toFixed(0)} µs) | ≥ 1.3× | ${yes(cpuRatio >= 1.3)} |`,
    `| 1. cached mint p99 at a fixed ${results.fixedRate.rps.toFixed(0)} req/s (${FIXED_RATE_SHARE * 100} % of baseline) | ${results.gatewayCached.p99MsAtFixedRate} ms (baseline ${results.baseline.p99MsAtFixedRate} ms) | < ${P99_TARGET_MS} ms | ${yes(p99Ok)} |`,
    `| 1. Cobalt calls during the cached runs | ${cachedCobaltCalls} | 0 | ${yes(cachedCobaltCalls === 0)} |`,
    `| 2. cold mint CPU per request (cache miss, emulator at 0 ms) | ${results.gatewayCold.cpuPerMintUs.toFixed(0)} µs | ≤ ${COLD_CPU_TARGET_US} µs on a quiet core | ${yes(results.gatewayCold.cpuPerMintUs <= COLD_CPU_TARGET_US)} |`,
    `| 2. same, over the baseline's CPU per request | ${coldOverBaselineCpu.toFixed(2)}× | ≤ ${coldTargetRatio.toFixed(2)}× (${COLD_CPU_TARGET_US} ÷ ${BASELINE_ANCHOR_CPU_US} µs) | ${yes(coldOverBaselineCpu <= coldTargetRatio)} |`,
    `| 3. heap of ${memory.tokens.toLocaleString('en')} cached tokens | ${memory.mb.toFixed(1)} MB | < ${smoke ? 10 : 100} MB | ${yes(memory.mb < (smoke ? 10 : 100))} |`,
    `| 3. 1 000 concurrent mints over 10 accounts → Cobalt calls | 10 in one process and across 3 with Redis (test/integration/multi-instance.test.ts, token-cache tests) | 10 | tested |`,
    `| 4. start-up to /healthz 200 (dist/) | ${results.startupMs.toFixed(0)} ms | < 1 500 ms | ${yes(results.startupMs < 1500)} |`,
    '',
    `| scenario | req/s | p99 ms | CPU µs/request |`,
    '|---|---|---|---|',
    `| baseline: bare Apollo 5 standalone + jose HS256, constant token | ${results.baseline.rps.toFixed(0)} | ${results.baseline.p99Ms} | ${results.baseline.cpuPerRequestUs.toFixed(0)} |`,
    `| gateway, cached mint | ${results.gatewayCached.rps.toFixed(0)} | ${results.gatewayCached.p99Ms} | ${results.gatewayCached.cpuPerRequestUs.toFixed(0)} |`,
    `| gateway, cached mint, Redis cache with the in-process tier (${results.gatewayCachedRedis.l1.redisReadsPerMint.toFixed(3)} Redis reads/mint) | ${results.gatewayCachedRedis.l1.rps.toFixed(0)} | ${results.gatewayCachedRedis.l1.p99Ms} | ${results.gatewayCachedRedis.l1.cpuPerRequestUs.toFixed(0)} |`,
    `| gateway, cached mint, Redis cache without it (\`TOKEN_CACHE_L1_TTL_S=0\`, 1 Redis read/mint) | ${results.gatewayCachedRedis.redisOnly.rps.toFixed(0)} | ${results.gatewayCachedRedis.redisOnly.p99Ms} | ${results.gatewayCachedRedis.redisOnly.cpuPerRequestUs.toFixed(0)} |`,
    `| gateway, cached mint by trusted document (documentId) | ${results.gatewayTrusted.rps.toFixed(0)} | ${results.gatewayTrusted.p99Ms} | ${results.gatewayTrusted.cpuPerRequestUs.toFixed(0)} |`,
    `| gateway, cold mint (every request a new account) | ${results.gatewayCold.rps.toFixed(0)} | ${results.gatewayCold.p99Ms} | ${results.gatewayCold.cpuPerMintUs.toFixed(0)} |`,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n${trustedTable}`);

  const outDir = join(__dirname, 'results');
  mkdirSync(outDir, { recursive: true });
  const name = smoke ? 'smoke' : 'latest';
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, `${name}.svg`), chart(results));
  if ([...samples.gatewayCached, ...samples.gatewayTrusted].some((r) => r.errors > 0)) process.exitCode = 1;
}

/** Heap growth of the memory token cache filled with `tokens` Cobalt-sized tokens (its own process). */
function tokenCacheMemory(tokens: number): { tokens: number; mb: number } {
  const run = spawnSync(
    process.execPath,
    ['--expose-gc', ...tsx, join(__dirname, 'token-cache-memory.ts'), String(tokens)],
    { encoding: 'utf8' },
  );
  const mb = /\|\s*([\d.]+) MB/.exec(run.stdout)?.[1];
  if (mb === undefined) throw new Error(`token-cache-memory.ts failed: ${run.stderr}`);
  return { tokens, mb: Number(mb) };
}

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

/** One horizontal bar chart at (x, y), bars scaled to the largest. */
function panel(title: string, bars: readonly Bar[], unit: string, x: number, y: number): string {
  const max = Math.max(...bars.map((b) => b.value), 1);
  const rows = bars.map((b, i) => {
    const top = y + 20 + i * 40;
    const width = Math.round((b.value / max) * 200);
    return (
      `<text x="${x}" y="${top + 14}" font-size="12">${b.label}</text>` +
      `<rect x="${x}" y="${top + 18}" width="${width}" height="16" fill="${b.color}"/>` +
      `<text x="${x + width + 6}" y="${top + 31}" font-size="12">${b.value.toFixed(0)} ${unit}</text>`
    );
  });
  return `<text x="${x}" y="${y + 8}" font-size="13" font-weight="bold">${title}</text>${rows.join('')}`;
}

function chart(results: {
  baseline: { rps: number; cpuPerRequestUs: number; p99MsAtFixedRate: number };
  gatewayCached: { rps: number; cpuPerRequestUs: number; p99MsAtFixedRate: number };
  gatewayCold: { rps: number; cpuPerMintUs: number };
  fixedRate: { rps: number };
  cachedOverBaseline: number;
  cachedOverBaselineByCpu: number;
  when: string;
}): string {
  const grey = '#9aa5b1';
  const blue = '#2f6fde';
  const light = '#7aa7f0';
  const throughput = panel(
    'Throughput (higher is better)',
    [
      { label: 'bare Apollo + jose (baseline)', value: results.baseline.rps, color: grey },
      { label: 'gateway, cached mint', value: results.gatewayCached.rps, color: blue },
      { label: 'gateway, cold mint', value: results.gatewayCold.rps, color: light },
    ],
    'req/s',
    10,
    45,
  );
  const cpu = panel(
    'CPU per request (lower is better)',
    [
      { label: 'bare Apollo + jose (baseline)', value: results.baseline.cpuPerRequestUs, color: grey },
      { label: 'gateway, cached mint', value: results.gatewayCached.cpuPerRequestUs, color: blue },
      { label: 'gateway, cold mint', value: results.gatewayCold.cpuPerMintUs, color: light },
    ],
    'µs',
    300,
    45,
  );
  const p99 = panel(
    `p99 at a fixed ${results.fixedRate.rps.toFixed(0)} req/s`,
    [
      { label: 'baseline', value: results.baseline.p99MsAtFixedRate, color: grey },
      { label: 'gateway, cached mint', value: results.gatewayCached.p99MsAtFixedRate, color: blue },
    ],
    'ms',
    590,
    45,
  );
  const footer =
    `cached / baseline: ${results.cachedOverBaseline.toFixed(2)}× by throughput, ` +
    `${results.cachedOverBaselineByCpu.toFixed(2)}× by CPU per request · ${results.when}`;
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="880" height="230" font-family="sans-serif">' +
    '<rect width="880" height="230" fill="#fff"/>' +
    '<text x="10" y="22" font-size="15" font-weight="bold">cobalt-gateway against a bare Apollo server, one pinned core (medians)</text>' +
    `${throughput}${cpu}${p99}<text x="10" y="220" font-size="12" fill="#555">${footer}</text></svg>\n`
  );
}

void main();
