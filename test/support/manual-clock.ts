import type { Clock } from '../../src/infra/clock';

/**
 * A clock that moves only when a test says so. `advance` resolves every `sleep` whose time has come,
 * in order, letting the promise chains they wake run before it moves on.
 */
export class ManualClock implements Clock {
  #now: number;
  #monotonic = 0;
  readonly #sleepers: { at: number; resolve: () => void }[] = [];

  constructor(startAt = Date.UTC(2026, 0, 1)) {
    this.#now = startAt;
  }

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#monotonic;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#sleepers.push({ at: this.#monotonic + Math.max(0, ms), resolve });
      this.#sleepers.sort((a, b) => a.at - b.at);
    });
  }

  /** Sleeps waiting on this clock. */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }

  /**
   * Steps the wall clock alone by `ms` (negative: back), as NTP or a resumed VM does; `monotonic`
   * and the sleepers do not move.
   */
  stepWallClock(ms: number): void {
    this.#now += ms;
  }

  /** Moves time forward by `ms`, waking sleepers due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.#monotonic + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.#sleepers[0];
      if (next === undefined || next.at > target) break;
      this.#sleepers.shift();
      this.#now += next.at - this.#monotonic;
      this.#monotonic = next.at;
      next.resolve();
    }
    this.#now += target - this.#monotonic;
    this.#monotonic = target;
    await flushMicrotasks();
  }
}

/** Lets every promise chain that is ready run to its next real wait. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
