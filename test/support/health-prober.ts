import { runPinnedNode, runProcess, type Running } from './built-process';

// Runs in its own process so that the probes' timers and sockets do not wait on the load generator's
// event loop: a probe that failed must mean the gateway did not answer, not that jest was busy.
const PROBER = `
const http = require('node:http');
const [url, everyMs, timeoutMs] = process.argv.slice(1);
function probe() {
  const startedAt = Date.now();
  const req = http.get(url, { agent: false, timeout: Number(timeoutMs) }, (res) => {
    res.resume();
    res.on('end', () => process.stdout.write('probe ' + res.statusCode + ' ' + (Date.now() - startedAt) + '\\n'));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (error) => process.stdout.write('probe failed ' + error.message + '\\n'));
}
probe();
setInterval(probe, Number(everyMs));
process.on('SIGTERM', () => process.exit(0));
`;

export interface ProbeResults {
  /** Probes answered 200. */
  readonly ok: number;
  /** Probes that failed, timed out or answered anything but 200, as printed. */
  readonly failed: readonly string[];
}

/**
 * Polls `url` (e.g. `/healthz`) every `everyMs` from a separate process, as an orchestrator would,
 * each probe failing after `timeoutMs`; `stop()` returns what every probe got. Pinned to `cpu` when
 * given, away from the gateway's core.
 */
export function startHealthProber(url: string, options: { everyMs: number; timeoutMs: number; cpu?: number }) {
  const args = ['-e', PROBER, url, String(options.everyMs), String(options.timeoutMs)];
  const running: Running =
    options.cpu === undefined ? runProcess(process.execPath, args, {}) : runPinnedNode(options.cpu, args, {});
  return {
    async stop(): Promise<ProbeResults> {
      running.child.kill('SIGTERM');
      await running.exited;
      const lines = running.stdout.split('\n').filter((line) => line.startsWith('probe '));
      return {
        ok: lines.filter((line) => line.startsWith('probe 200 ')).length,
        failed: lines.filter((line) => !line.startsWith('probe 200 ')),
      };
    },
  };
}
