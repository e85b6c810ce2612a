import { afterAll, beforeAll } from '@jest/globals';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from './test-gateway';

/**
 * Something the enclosing `describe` shares: started before its first test, stopped after its last.
 * The function returned reads it (inside a test or hook).
 */
export function useStarted<T>(
  start: () => Promise<T>,
  stop: (started: T) => Promise<void>,
  startTimeoutMs?: number,
): () => T {
  let started: { readonly value: T } | undefined;
  beforeAll(async () => {
    started = { value: await start() };
  }, startTimeoutMs);
  afterAll(async () => {
    if (started !== undefined) await stop(started.value);
  });
  return () => {
    if (started === undefined) throw new Error('started in beforeAll: use it inside a test or a later hook');
    return started.value;
  };
}

/**
 * A view of `current()` whose `keys` read through to it on each access, so a value that exists only
 * once `beforeAll` has run can be named at `describe` time. Methods come bound.
 */
export function readThrough<T extends object, K extends keyof T>(current: () => T, keys: readonly K[]): Pick<T, K> {
  const view = {};
  for (const key of keys) {
    Object.defineProperty(view, key, {
      enumerable: true,
      get: () => {
        const target = current();
        const value = target[key];
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
  return view as Pick<T, K>;
}

/**
 * One gateway for the enclosing `describe`, stopped (with the leak scan) after its last test. The
 * returned object reads through to it, so tests write `gw.url` as usual.
 */
export function useTestGateway(options: TestGatewayOptions = {}): TestGateway {
  const current = useStarted(
    () => startTestGateway(options),
    (gw) => gw.stop(),
  );
  return readThrough(current, ['url', 'origin', 'emulator', 'logs', 'app', 'clock', 'stop']);
}
