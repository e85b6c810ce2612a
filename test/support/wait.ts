export interface WaitOptions {
  /** @default 10_000 */
  readonly timeoutMs?: number;
  /** What was awaited, for the failure message (a function to describe the state at the time). */
  readonly what?: string | (() => string);
}

// Short: each poll only checks a condition, and a long interval would be a sleep in disguise.
const POLL_MS = 20;

/**
 * Resolves once `check` holds, polling; false after `timeoutMs` without it. For conditions a test
 * cannot be told about (a log line, a Redis reconnect, a socket closing), never to let a timer of the
 * gateway fire: move its clock for that.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number = 10_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** As `eventually`, but failing with what was awaited. */
export async function until(check: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (await eventually(check, timeoutMs)) return;
  const what = typeof options.what === 'function' ? options.what() : (options.what ?? 'condition');
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

/**
 * Waits on real time. Only for what runs on real time outside the gateway (a fault proxy's phases, a
 * child process); a gateway timer is crossed by moving its clock.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
