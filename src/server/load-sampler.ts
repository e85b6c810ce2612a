import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/** What the overload monitor reads at each sample. */
export interface LoadSample {
  /** The longest the event loop was late, since the previous sample, in milliseconds. */
  readonly eventLoopDelayMs: number;
  /** V8 heap in use as a share of the heap limit (0..1). */
  readonly heapUsedRatio: number;
}

export interface LoadSampler {
  sample(): LoadSample;
  close(): void;
}

// The histogram's timer period. Each recorded value is the time between two of its ticks, so this
// much of every value is the period itself, not delay.
const RESOLUTION_MS = 10;

/**
 * The process's own load, from `perf_hooks.monitorEventLoopDelay` (sampled in libuv, so it costs no
 * JavaScript per tick) and V8's heap statistics (cheaper than `process.memoryUsage()`, which also
 * reads the RSS).
 *
 * The worst delay of the window is used, not its mean: a stalled loop records few values, one per
 * stall, so a mean drowns a 500 ms stall among fifty 10 ms ticks, while every request that arrived
 * during the stall waited the whole 500 ms.
 */
export function createNodeLoadSampler(): LoadSampler {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return {
    sample() {
      const delayMs = Math.max(0, histogram.max / 1e6 - RESOLUTION_MS);
      histogram.reset();
      const heap = getHeapStatistics();
      return { eventLoopDelayMs: delayMs, heapUsedRatio: heap.used_heap_size / heap.heap_size_limit };
    },
    close() {
      histogram.disable();
    },
  };
}
