import { GatewayError } from '../errors/gateway-error';
import { systemClock, type Clock } from '../infra/clock';
import type { Logger } from '../observability/logger';
import type { CobaltCallBudget } from './call-budget';
import type { CobaltCircuitBreaker } from './circuit-breaker';
import { toGatewayError } from './cobalt-error-mapper';
import { CobaltFailureError, describeFailure, type CobaltFailure } from './cobalt-failure';
import { backoffMs, isRetryable, RetryBudget } from './retry-policy';

export interface CallPolicyOptions {
  /** Deadline for one attempt, from connect to the last byte. */
  readonly timeoutMs: number;
  /** Deadline for one operation, all attempts and waits included. */
  readonly deadlineMs: number;
  /** Retries after the first attempt, for retryable failures only. */
  readonly maxRetries: number;
  readonly log: Logger;
  /** Told about every call (for metrics): operation, seconds, and `ok` or the mapped error code. */
  readonly onCall?: (operation: string, seconds: number, outcome: string) => void;
  /** Told about every retry (for metrics). */
  readonly onRetry?: (operation: string) => void;
  /** Fails operations fast while Cobalt is down; none: every operation goes out. */
  readonly breaker?: Pick<CobaltCircuitBreaker, 'run' | 'state'>;
  /** The org-wide budget every attempt draws from; none: unlimited. */
  readonly callBudget?: CobaltCallBudget;
  /** Deadlines (`monotonic`) and the waits between attempts (`sleep`); default: the system clock. */
  readonly clock?: Clock;
  /** In [0, 1): the jitter of the backoff. */
  readonly random?: () => number;
}

/**
 * One attempt at an operation, given the whole milliseconds it may take. Throws `CobaltFailureError`
 * for anything Cobalt (or the way to it) did wrong; anything else it throws is a bug and passes as is.
 */
export type CobaltAttempt<T> = (timeoutMs: number) => Promise<{ readonly status: number; readonly value: T }>;

/**
 * How every Cobalt operation is run: behind the breaker and the org-wide call budget, under an
 * overall deadline, with retries of what another attempt can fix; one log line per operation, and
 * the final failure translated into a `GatewayError`.
 */
export class CallPolicy {
  readonly #options: CallPolicyOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #retryBudget: RetryBudget;
  readonly #onCall: NonNullable<CallPolicyOptions['onCall']>;

  constructor(options: CallPolicyOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#retryBudget = new RetryBudget({ now: () => this.#clock.monotonic() });
    this.#onCall = options.onCall ?? (() => undefined);
  }

  /**
   * Runs one operation behind the circuit breaker, which counts it as one success or failure. The
   * first attempt's share of the org-wide budget is taken before the breaker: a call the budget
   * refuses never reached Cobalt, so it must count neither as an outage nor as a success that would
   * hide one. After a wait for the budget a full attempt must still fit in the deadline; otherwise
   * the operation is refused before anything goes out.
   */
  async run<T>(operation: string, attempt: CobaltAttempt<T>): Promise<T> {
    const startedAt = this.#clock.monotonic();
    const deadline = startedAt + this.#options.deadlineMs;
    const { breaker, callBudget } = this.#options;
    if (callBudget !== undefined && breaker?.state !== 'open') {
      try {
        await callBudget.acquire(Math.max(0, deadline - this.#options.timeoutMs - this.#clock.monotonic()));
      } catch (error) {
        if (error instanceof GatewayError) this.#onCall(operation, this.#secondsSince(startedAt), error.code);
        throw error;
      }
    }
    const attempts = () => this.#attempts(operation, attempt, startedAt, deadline);
    return breaker === undefined ? attempts() : breaker.run(attempts);
  }

  async #attempts<T>(operation: string, attempt: CobaltAttempt<T>, startedAt: number, deadline: number): Promise<T> {
    this.#retryBudget.recordCall();
    for (let number = 1; ; number += 1) {
      try {
        // Whole milliseconds, at least one: timers want integers, and the time left before the
        // deadline never is one.
        const timeoutMs = Math.max(
          1,
          Math.floor(Math.min(this.#options.timeoutMs, deadline - this.#clock.monotonic())),
        );
        const { status, value } = await attempt(timeoutMs);
        this.#onCall(operation, this.#secondsSince(startedAt), 'ok');
        this.#options.log.debug(
          { cobaltCall: operation, status, attempt: number, durationMs: this.#msSince(startedAt) },
          'cobalt call succeeded',
        );
        return value;
      } catch (error) {
        if (!(error instanceof CobaltFailureError)) throw error;
        const waitMs = this.#retryWait(error.failure, number, deadline);
        if (waitMs !== undefined && (await this.#retryMayGo(operation, number, error.failure, waitMs, deadline))) {
          continue;
        }
        throw this.#failed(operation, number, error.failure, startedAt);
      }
    }
  }

  /** How long to wait before another attempt, or undefined when there must be none. */
  #retryWait(failure: CobaltFailure, attempt: number, deadline: number): number | undefined {
    if (attempt > this.#options.maxRetries || !isRetryable(failure)) return undefined;
    // A timeout our own event loop caused says nothing about Cobalt; another attempt would only
    // add a call to Cobalt exactly when this instance is the bottleneck.
    if (failure.kind === 'timeout' && isMostlyLocal(failure.localDelayMs ?? 0, this.#options.timeoutMs)) {
      return undefined;
    }
    const hinted = failure.kind === 'http' && failure.retryAfterSeconds !== undefined;
    const waitMs = hinted ? failure.retryAfterSeconds * 1000 : backoffMs(attempt - 1, this.#random);
    // Leave an attempt some time to succeed; a wait that eats the deadline only delays the error.
    if (this.#clock.monotonic() + waitMs + this.#minimumAttemptMs() > deadline) return undefined;
    return this.#retryBudget.tryRetry() ? waitMs : undefined;
  }

  /**
   * Waits before a retry, then takes its share of the org-wide budget. False when the budget has
   * none left in time: the operation then fails with what Cobalt last did, which is what it was.
   */
  async #retryMayGo(
    operation: string,
    attempt: number,
    failure: CobaltFailure,
    waitMs: number,
    deadline: number,
  ): Promise<boolean> {
    this.#options.onRetry?.(operation);
    this.#options.log.info(
      { cobaltCall: operation, attempt, failure: describeFailure(failure), ...timerLate(failure), waitMs },
      'retrying cobalt call',
    );
    await this.#clock.sleep(waitMs);
    try {
      await this.#options.callBudget?.acquire(
        Math.max(0, deadline - this.#clock.monotonic() - this.#minimumAttemptMs()),
      );
      return true;
    } catch (error) {
      if (error instanceof GatewayError) return false;
      throw error;
    }
  }

  /** Counts, logs and translates the failure an operation ends with. */
  #failed(operation: string, attempt: number, failure: CobaltFailure, startedAt: number): GatewayError {
    const { error, severity } = toGatewayError(failure);
    this.#onCall(operation, this.#secondsSince(startedAt), error.code);
    this.#options.log[severity](
      {
        cobaltCall: operation,
        status: failure.kind === 'http' ? failure.status : undefined,
        attempt,
        durationMs: this.#msSince(startedAt),
        failure: describeFailure(failure),
        ...timerLate(failure),
        cobaltRequestId: failure.kind === 'http' ? failure.body?.requestId : undefined,
        code: error.code,
      },
      'cobalt call failed',
    );
    return error;
  }

  #minimumAttemptMs(): number {
    return Math.min(this.#options.timeoutMs, 250);
  }

  #secondsSince(startedAt: number): number {
    return (this.#clock.monotonic() - startedAt) / 1000;
  }

  #msSince(startedAt: number): number {
    return Math.round(this.#clock.monotonic() - startedAt);
  }
}

/** True when at least half of an attempt's time was spent waiting for our own event loop. */
export function isMostlyLocal(localDelayMs: number, timeoutMs: number): boolean {
  return localDelayMs * 2 >= timeoutMs;
}

/**
 * How late a timed-out attempt's timer fired, as its own log field: the failure text stays `timeout`
 * whatever the lateness, so that alerts and searches on it keep matching.
 */
function timerLate(failure: CobaltFailure): { timerLateMs?: number } {
  return failure.kind === 'timeout' && failure.localDelayMs !== undefined ? { timerLateMs: failure.localDelayMs } : {};
}
