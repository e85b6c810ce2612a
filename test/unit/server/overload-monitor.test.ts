import { describe, expect, it } from '@jest/globals';
import type { Clock } from '../../../src/infra/clock';
import { createMetrics } from '../../../src/observability/metrics';
import { OverloadMonitor, type OverloadMonitorOptions } from '../../../src/server/overload-monitor';
import { captureLogs } from '../../support/capture-logger';
import { ManualClock } from '../../support/manual-clock';
import { ScriptedLoadSampler } from '../../support/scripted-load-sampler';

function setup(options: Partial<OverloadMonitorOptions> = {}) {
  const clock = new ManualClock();
  const sampler = new ScriptedLoadSampler();
  const logs = captureLogs();
  const metrics = createMetrics();
  const monitor = new OverloadMonitor({
    maxEventLoopDelayMs: 200,
    maxHeapUsedRatio: 0.98,
    maxInFlight: 0,
    retryAfterSeconds: 2,
    sampleIntervalMs: 100,
    sampler: () => sampler,
    clock,
    log: logs.log,
    metrics,
    ...options,
  });
  const sheds = async (reason: string) =>
    (await metrics.overloadSheds.get()).values.find((v) => v.labels['reason'] === reason)?.value ?? 0;
  const overloaded = async () => (await metrics.overloaded.get()).values[0]?.value;
  return { clock, sampler, logs, monitor, sheds, overloaded };
}

describe('OverloadMonitor', () => {
  it('admits while the load is under the thresholds', async () => {
    const { clock, sampler, monitor } = setup();
    monitor.start();
    sampler.next = { eventLoopDelayMs: 200, heapUsedRatio: 0.98 };
    await clock.advance(100);

    expect(sampler.reads).toBe(1);
    expect(monitor.admit()).toBeUndefined();
    expect(monitor.status()).toBe('ok');
    monitor.stop();
  });

  it('sheds every new request from a sample over the delay threshold until a sample under it', async () => {
    const { clock, sampler, monitor, sheds, overloaded, logs } = setup();
    monitor.start();
    sampler.next = { eventLoopDelayMs: 350, heapUsedRatio: 0.2 };
    await clock.advance(100);

    expect(monitor.admit()).toEqual({ reason: 'event-loop-delay', retryAfterSeconds: 2 });
    expect(monitor.admit()).toEqual({ reason: 'event-loop-delay', retryAfterSeconds: 2 });
    expect(monitor.status()).toBe('shedding:event-loop-delay');
    expect(await sheds('event-loop-delay')).toBe(2);
    expect(await overloaded()).toBe(1);
    expect(logs.parsed().find((r) => r['event'] === 'overload')).toMatchObject({
      level: 40, // warn
      reason: 'event-loop-delay',
      eventLoopDelayMs: 350,
    });

    sampler.next = { eventLoopDelayMs: 3, heapUsedRatio: 0.2 };
    await clock.advance(100);

    expect(monitor.admit()).toBeUndefined();
    expect(monitor.status()).toBe('ok');
    expect(await overloaded()).toBe(0);
    expect(logs.parsed().find((r) => r['event'] === 'overload-ended')).toMatchObject({ sheds: 2, ms: 100 });
    monitor.stop();
  });

  it('sheds on the heap when it is over its share of the limit', async () => {
    const { clock, sampler, monitor, sheds } = setup();
    monitor.start();
    sampler.next = { eventLoopDelayMs: 0, heapUsedRatio: 0.99 };
    await clock.advance(100);

    expect(monitor.admit()).toEqual({ reason: 'heap', retryAfterSeconds: 2 });
    expect(monitor.status()).toBe('shedding:heap');
    expect(await sheds('heap')).toBe(1);
    monitor.stop();
  });

  it('ignores a check whose threshold is 0', async () => {
    const { clock, sampler, monitor } = setup({ maxHeapUsedRatio: 0 });
    monitor.start();
    sampler.next = { eventLoopDelayMs: 0, heapUsedRatio: 1 };
    await clock.advance(100);

    expect(monitor.admit()).toBeUndefined();
    monitor.stop();
  });

  it('sheds past maxInFlight requests admitted and not yet answered, whatever the samples say', async () => {
    const { monitor, sheds } = setup({ maxInFlight: 2 });
    monitor.start();

    expect(monitor.admit()).toBeUndefined();
    expect(monitor.admit()).toBeUndefined();
    expect(monitor.admit()).toEqual({ reason: 'in-flight', retryAfterSeconds: 2 });
    expect(monitor.inFlight).toBe(2);
    expect(await sheds('in-flight')).toBe(1);

    monitor.finished();

    expect(monitor.admit()).toBeUndefined();
    expect(monitor.status()).toBe('ok');
    monitor.stop();
  });

  it('samples nothing and sheds nothing when every threshold is 0', async () => {
    const { clock, sampler, monitor } = setup({ maxEventLoopDelayMs: 0, maxHeapUsedRatio: 0, maxInFlight: 0 });
    monitor.start();
    sampler.next = { eventLoopDelayMs: 10_000, heapUsedRatio: 1 };
    await clock.advance(1000);

    expect(monitor.enabled).toBe(false);
    expect(sampler.reads).toBe(0);
    expect(monitor.admit()).toBeUndefined();
    expect(monitor.status()).toBe('off');
  });

  it('reads the sampler once per interval, and not after stop', async () => {
    const { clock, sampler, monitor } = setup();
    monitor.start();
    await clock.advance(350);

    expect(sampler.reads).toBe(3);

    monitor.stop();
    await clock.advance(1000);

    expect(sampler.reads).toBe(3);
    expect(sampler.closed).toBe(true);
    expect(monitor.status()).toBe('off');
    expect(monitor.admit()).toBeUndefined();
  });

  it('sheds while the sample timer itself is overdue by more than the delay threshold (a stall in progress)', () => {
    // A loop that cannot run timers: the clock moves, the sample never comes.
    let t = 0;
    const stalled: Clock = { now: () => t, monotonic: () => t, sleep: () => new Promise<void>(() => undefined) };
    const { sampler, monitor } = setup({ clock: stalled });
    monitor.start();
    t = 300; // due at 100, overdue by 200: not more than the threshold

    expect(monitor.admit()).toBeUndefined();

    t = 301;

    expect(monitor.admit()).toEqual({ reason: 'event-loop-delay', retryAfterSeconds: 2 });

    sampler.next = { eventLoopDelayMs: 0, heapUsedRatio: 0.2 };
    monitor.sampleNow(); // the loop caught up and the window's worst delay is back under

    expect(monitor.admit()).toBeUndefined();
    monitor.stop();
  });

  it('warns at most once per 10 s however often the load flaps', async () => {
    const { clock, sampler, monitor, logs } = setup();
    monitor.start();
    for (let i = 0; i < 20; i += 1) {
      sampler.next = { eventLoopDelayMs: i % 2 === 0 ? 500 : 0, heapUsedRatio: 0.2 };
      await clock.advance(100);
    }

    expect(logs.parsed().filter((r) => r['event'] === 'overload')).toHaveLength(1);

    await clock.advance(10_000);
    sampler.next = { eventLoopDelayMs: 500, heapUsedRatio: 0.2 };
    await clock.advance(100);

    expect(logs.parsed().filter((r) => r['event'] === 'overload')).toHaveLength(2);
    monitor.stop();
  });
});
