import { describe, expect, it } from '@jest/globals';
import { SingleFlight } from '../../../src/session-tokens/single-flight';

/** Work whose settling the test decides, counting how often it was started. */
function controlledWork<T>() {
  let starts = 0;
  let settle: { resolve: (value: T) => void; reject: (error: Error) => void } | undefined;
  const work = () => {
    starts += 1;
    return new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  };
  return { work, starts: () => starts, settle: () => settle! };
}

describe('single flight', () => {
  it('runs concurrent calls with one key once and shares the result, telling joiners they joined', async () => {
    const flights = new SingleFlight<string>();
    const { work, starts, settle } = controlledWork<string>();

    const first = flights.run('k', work);
    const second = flights.run('k', work);
    const third = flights.run('k', work);
    settle().resolve('value');

    expect([first.joined, second.joined, third.joined]).toEqual([false, true, true]);
    expect(await Promise.all([first.promise, second.promise, third.promise])).toEqual(['value', 'value', 'value']);
    expect(starts()).toBe(1);
  });

  it('shares a failure with every caller', async () => {
    const flights = new SingleFlight<string>();
    const { work, starts, settle } = controlledWork<string>();

    const first = flights.run('k', work).promise;
    const second = flights.run('k', work).promise;
    settle().reject(new Error('upstream down'));

    await expect(first).rejects.toThrow('upstream down');
    await expect(second).rejects.toThrow('upstream down');
    expect(starts()).toBe(1);
  });

  it('shows the run under way, and forgets it once it has settled', async () => {
    const flights = new SingleFlight<string>();
    const { work, settle } = controlledWork<string>();

    const { promise } = flights.run('k', work);
    const during = flights.current('k');
    settle().resolve('value');
    await promise;

    expect(during).toBe(promise);
    expect(flights.current('k')).toBeUndefined();
  });

  it.each(['success', 'failure'])('starts a new run for a call after a %s has settled', async (outcome) => {
    const flights = new SingleFlight<string>();
    const first = controlledWork<string>();
    const { promise } = flights.run('k', first.work);
    if (outcome === 'success') first.settle().resolve('first');
    else first.settle().reject(new Error('first failed'));
    await promise.catch(() => undefined);

    const second = controlledWork<string>();
    const next = flights.run('k', second.work);
    second.settle().resolve('second');

    expect(next.joined).toBe(false);
    expect(await next.promise).toBe('second');
    expect(second.starts()).toBe(1);
  });

  it('keeps different keys apart', async () => {
    const flights = new SingleFlight<string>();
    const a = controlledWork<string>();
    const b = controlledWork<string>();

    const forA = flights.run('a', a.work);
    const forB = flights.run('b', b.work);
    a.settle().resolve('A');
    b.settle().resolve('B');

    expect(forB.joined).toBe(false);
    expect([await forA.promise, await forB.promise]).toEqual(['A', 'B']);
  });
});
