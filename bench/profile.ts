import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  gatewayEnv,
  load,
  MUTATION,
  progress,
  signBearers,
  startBenchEmulator,
  startPinned,
  stop,
  TRUSTED_MUTATION,
} from './lib';

/**
 * Where the gateway's CPU goes under load: runs one bench scenario against `dist/main.js` started
 * with `--cpu-prof`, then prints the self-time shares of the profile by package and by function
 * (idle excluded). Usage: npm run build && node --import tsx bench/profile.ts cached|cold|trusted|trusted-cold [--seconds 10]
 */
const args = process.argv.slice(2);
const scenarios = ['cached', 'cold', 'trusted', 'trusted-cold'] as const;
const scenario = scenarios.find((name) => name === args[0]) ?? 'cached';
// `trusted*` send the mint as a trusted document (its manifest id), the others send its text.
const body = scenario.startsWith('trusted') ? TRUSTED_MUTATION : MUTATION;
const isCold = scenario.endsWith('cold');
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 10;
const root = join(__dirname, '..');

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function where(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/.*?\/(dist|src)\//, '$1/');
}

/** Self time per key, as shares of the busy (non-idle) time. */
export function summarize(profile: Profile, top = 25): string {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const time = self.get(node.id) ?? 0;
    if (functionName === '(idle)') continue;
    busy += time;
    const pkg = where(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
    const fn = `${functionName || '(anonymous)'} ${pkg}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + time);
  }
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `${((100 * time) / busy).toFixed(1).padStart(5)} %  ${name}`);
  return [
    `busy ${(busy / 1000).toFixed(0)} ms`,
    '-- self time by package or file',
    ...rows(byPackage),
    '-- self time by function',
    ...rows(byFunction),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const accounts = isCold ? 20_000 : 1;
  const emulator = await startBenchEmulator(accounts);
  const authorizations = await signBearers(accounts);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-profile-'));
  const gateway = await startPinned(
    ['--cpu-prof', '--cpu-prof-dir', dir, join(root, 'dist/main.js')],
    gatewayEnv(emulator.url),
  );
  const pid = gateway.child.pid!;
  if (!isCold) await load({ url: gateway.url, body, seconds: 1, authorizations, pid });
  progress(`profile: ${scenario}, ${seconds}s`);
  const sample = await load({ url: gateway.url, body, seconds, authorizations, pid });
  progress('');
  await stop(gateway.child);
  await stop(emulator.child);
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written in ${dir}`);
  process.stdout.write(
    `${scenario}: ${sample.requestsPerSecond.toFixed(0)} req/s, ${sample.cpuPerRequestUs?.toFixed(0)} µs CPU/request (profiler on), profile ${join(dir, file)}\n`,
  );
  process.stdout.write(summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile));
}

if (require.main === module) void main();
