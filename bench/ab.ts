import { join, resolve } from 'node:path';
import {
  gatewayEnv,
  load,
  median,
  MUTATION,
  progress,
  signBearers,
  startBenchEmulator,
  startPinned,
  stop,
  TRUSTED_MUTATION,
} from './lib';

/**
 * A/B of two builds of the gateway on one scenario, alternating runs: where a lever's effect is
 * smaller than the machine's noise, only same-run alternation shows it.
 * Usage: node --import tsx bench/ab.ts <distA> <distB> [cached|cold|trusted] [--reps 4] [--seconds 5] [--env-b K=V]
 * (`trusted`: the cached mint by trusted document.)
 */
const args = process.argv.slice(2);
const [distA, distB] = [resolve(args[0] ?? 'dist'), resolve(args[1] ?? 'dist')];
const scenario = args[2] === 'cold' || args[2] === 'trusted' ? args[2] : 'cached';
const body = scenario === 'trusted' ? TRUSTED_MUTATION : MUTATION;
const reps = Number(args[args.indexOf('--reps') + 1]) || 4;
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 5;
const envSpec = args.includes('--env-b') ? (args[args.indexOf('--env-b') + 1] ?? '') : '';
const envB: Record<string, string> = envSpec.includes('=')
  ? { [envSpec.slice(0, envSpec.indexOf('='))]: envSpec.slice(envSpec.indexOf('=') + 1) }
  : {};

async function main(): Promise<void> {
  const accounts = scenario === 'cold' ? 20_000 : 1;
  const emulator = await startBenchEmulator(accounts);
  const authorizations = await signBearers(accounts);
  const results: Record<'A' | 'B', { rps: number[]; cpu: number[]; p99: number[] }> = {
    A: { rps: [], cpu: [], p99: [] },
    B: { rps: [], cpu: [], p99: [] },
  };
  for (let rep = 1; rep <= reps; rep += 1) {
    for (const which of rep % 2 === 1 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
      progress(`ab: ${which} ${scenario} rep ${rep}/${reps}`);
      const dist = which === 'A' ? distA : distB;
      const gateway = await startPinned([join(dist, 'main.js')], {
        ...gatewayEnv(emulator.url),
        ...(which === 'B' ? envB : {}),
      });
      const pid = gateway.child.pid!;
      if (scenario !== 'cold') await load({ url: gateway.url, body, seconds: 1, authorizations, pid });
      const s = await load({ url: gateway.url, body, seconds, authorizations, pid });
      results[which].rps.push(s.requestsPerSecond);
      results[which].cpu.push(s.cpuPerRequestUs ?? Number.NaN);
      results[which].p99.push(s.p99Ms);
      await stop(gateway.child);
    }
  }
  await stop(emulator.child);
  progress('');
  for (const which of ['A', 'B'] as const) {
    const r = results[which];
    process.stdout.write(
      `${which}: rps ${median(r.rps).toFixed(0)} cpu/req ${median(r.cpu).toFixed(0)} µs p99 ${median(r.p99)} ms  [cpu ${r.cpu.map((c) => c.toFixed(0)).join(' ')}]\n`,
    );
  }
  process.stdout.write(
    `B/A: rps ${(median(results.B.rps) / median(results.A.rps)).toFixed(3)} cpu ${(median(results.B.cpu) / median(results.A.cpu)).toFixed(3)}\n`,
  );
}

void main();
