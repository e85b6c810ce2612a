import type { LoadSample, LoadSampler } from '../../src/server/load-sampler';

/** A load sampler that reports whatever the test sets, so shedding is tested without overloading anything. */
export class ScriptedLoadSampler implements LoadSampler {
  next: LoadSample = { eventLoopDelayMs: 0, heapUsedRatio: 0.2 };
  reads = 0;
  closed = false;

  sample(): LoadSample {
    this.reads += 1;
    return this.next;
  }

  close(): void {
    this.closed = true;
  }
}
