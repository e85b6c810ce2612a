import { join } from 'node:path';
import { load, median, progress, startPinned, stop, type Sample } from './lib';

/**
 * Which HTTP layer to put in front of Apollo: Apollo's standalone server against our node:http
 * integration, same schema, same Apollo settings, alternating runs. Prints medians and the ratio.
 * Usage: npx tsx bench/http-layer.ts [--reps 3] [--seconds 5]
 */
const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 3) || 3;
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 5) || 5;
const server = join(__dirname, 'servers/http-layer-server.ts');
const tsx = ['--import', 'tsx'];
const body = JSON.stringify({ query: 'mutation { ping }' });

async function main(): Promise<void> {
  const samples: Record<string, Sample[]> = { standalone: [], 'node-http': [] };
  for (let rep = 1; rep <= reps; rep += 1) {
    for (const kind of ['standalone', 'node-http'] as const) {
      progress(`http-layer: ${kind}, rep ${rep}/${reps}`);
      const { url, child } = await startPinned([...tsx, server, kind]);
      await load({ url, body, seconds: 1 }); // warm-up
      samples[kind]!.push(await load({ url, body, seconds }));
      await stop(child);
    }
  }
  progress('');
  const rps = (kind: string) => median(samples[kind]!.map((s) => s.requestsPerSecond));
  const p99 = (kind: string) => median(samples[kind]!.map((s) => s.p99Ms));
  process.stdout.write(
    [
      `| HTTP layer (trivial mutation, 50 connections, ${reps}×${seconds}s, medians) | req/s | p99 ms |`,
      '|---|---|---|',
      `| Apollo startStandaloneServer | ${rps('standalone').toFixed(0)} | ${p99('standalone')} |`,
      `| cobalt-gateway node:http integration | ${rps('node-http').toFixed(0)} | ${p99('node-http')} |`,
      `| ratio node:http / standalone | ${(rps('node-http') / rps('standalone')).toFixed(2)}× | |`,
      '',
    ].join('\n'),
  );
}

void main();
