/**
 * In-process request coalescing: concurrent calls with the same key share one execution and its
 * result, success or error. The entry is removed when the execution settles.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  /** The run under way for `key`, if any. */
  current(key: string): Promise<T> | undefined {
    return this.#inFlight.get(key);
  }

  /** Runs `work` unless a run for `key` is already under way; `joined` tells the caller which. */
  run(key: string, work: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const existing = this.#inFlight.get(key);
    if (existing !== undefined) return { promise: existing, joined: true };
    const promise = work().finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return { promise, joined: false };
  }
}
