import { systemClock, type Clock } from '../../src/infra/clock';

/**
 * Real time plus an offset a test can move: for integration tests, where sockets, retries and
 * timeouts must keep running on real time, but a cooldown, an expiry or a refresh point should be
 * crossed at once. Jumping ahead moves `now` and `monotonic` together, and wakes every sleep that
 * the jump has made due.
 */
export class ShiftedClock implements Clock {
  #offset = 0;
  readonly #sleepers = new Set<{ at: number; wake: () => void }>();

  now(): number {
    return systemClock.now() + this.#offset;
  }

  monotonic(): number {
    return systemClock.monotonic() + this.#offset;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        at: this.monotonic() + ms,
        wake: () => {
          clearTimeout(timer);
          this.#sleepers.delete(sleeper);
          resolve();
        },
      };
      const timer = setTimeout(sleeper.wake, ms);
      this.#sleepers.add(sleeper);
    });
  }

  /** Jumps `ms` ahead. */
  advance(ms: number): void {
    this.#offset += ms;
    const now = this.monotonic();
    for (const sleeper of [...this.#sleepers]) if (sleeper.at <= now) sleeper.wake();
  }
}
