import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../src/composition/tracing';
import { annotateActiveSpan, currentTraceId, inSpan } from '../src/observability/tracing';
import { median } from './lib';

/**
 * What the tracing calls on a cached mint cost, in-process: the five spans a cached mint opens
 * (server, operation, JWT, lookup and its annotations), timed as CPU per simulated request with
 * tracing off (the API's no-op), against the same work without the calls, then with the SDK on
 * (every span recorded into memory, the exporter's own cost excluded).
 * Usage: node --import tsx bench/tracing-overhead.ts [--requests 200000] [--reps 5]
 */
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]) || fallback;
};
const requests = option('--requests', 200_000);
const reps = option('--reps', 5);

const work = () => Promise.resolve(1);

async function bare(): Promise<number> {
  return (await work()) + (await work()) + (await work());
}

async function traced(): Promise<number> {
  return inSpan('POST /graphql', {}, () =>
    inSpan('graphql', {}, async (operation) => {
      if (operation.isRecording()) operation.setAttributes({ 'graphql.root_field': 'createSessionToken' });
      const verified = await inSpan('jwt.verify', {}, async (span) => {
        annotateActiveSpan('auth.jwt.cached', true);
        const result = await work();
        if (span.isRecording()) span.setAttribute('auth.result', 'ok');
        return result;
      });
      const token = await inSpan('token-cache.lookup', {}, async (span) => {
        const result = await work();
        if (span.isRecording()) span.setAttribute('token_cache.outcome', 'hit');
        return result;
      });
      currentTraceId();
      return verified + token + (await work());
    }),
  );
}

async function cpuPerRequestNs(run: () => Promise<number>): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < requests; i += 1) await run();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / requests;
}

async function main(): Promise<void> {
  const rows: Record<string, number[]> = { bare: [], off: [], on: [] };
  await cpuPerRequestNs(bare);
  await cpuPerRequestNs(traced);
  for (let rep = 0; rep < reps; rep += 1) {
    rows['bare']!.push(await cpuPerRequestNs(bare));
    rows['off']!.push(await cpuPerRequestNs(traced));
  }
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing(
    { url: undefined, headers: {}, serviceName: 'bench', sampler: 'always_on', ratio: 1 },
    { exporter },
  )!;
  for (let rep = 0; rep < reps; rep += 1) {
    rows['on']!.push(await cpuPerRequestNs(traced));
    exporter.reset();
  }
  await tracing.shutdown();
  const [bareNs, offNs, onNs] = [median(rows['bare']!), median(rows['off']!), median(rows['on']!)];
  process.stdout.write(
    [
      `requests ${requests} × ${reps} reps, median CPU per simulated cached request:`,
      `  same awaits, no tracing calls   ${bareNs.toFixed(0)} ns`,
      `  tracing off (API no-op)         ${offNs.toFixed(0)} ns  (+${(offNs - bareNs).toFixed(0)} ns)`,
      `  tracing on (SDK, 4 spans kept)  ${onNs.toFixed(0)} ns  (+${(onNs - bareNs).toFixed(0)} ns)`,
      '',
    ].join('\n'),
  );
}

void main();
