import CircuitBreaker from 'opossum';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import type { Logger } from '../observability/logger';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerPolicy {
  /** Operations in the rolling window before the breaker may open at all. */
  readonly minRequests: number;
  /** Share (0–1] of counted failures in the window that opens it. */
  readonly failureRate: number;
  /** How long it stays open before letting one probe through. */
  readonly cooldownMs: number;
}

// Cobalt being down or answering garbage. Caller errors (unknown linked account, a bad key, 4xx) and
// Cobalt's 429 are answers from a working Cobalt: counting them would let one misconfigured client or
// a burst of new users cut everybody off.
const OUTAGE_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.COBALT_UNAVAILABLE, ErrorCode.COBALT_BAD_RESPONSE]);

type Work = () => Promise<unknown>;

/**
 * The Cobalt client's circuit breaker (opossum 9: opossum 10 needs Node 22). It opens on a failure
 * rate over a minimum volume in a 10 s window, never on one failure; while open, operations fail at
 * once with COBALT_UNAVAILABLE and how long until the next probe, so a Cobalt outage costs neither
 * the gateway's sockets nor the users' time, and the token service can serve cached tokens instead.
 */
export class CobaltCircuitBreaker {
  readonly #breaker: CircuitBreaker<[Work]>;
  readonly #cooldownMs: number;
  #openedAt = 0;
  #rejections = 0;

  constructor(
    policy: BreakerPolicy,
    deps: { readonly log: Logger; readonly onStateChange?: (s: BreakerState) => void },
  ) {
    this.#cooldownMs = policy.cooldownMs;
    this.#breaker = new CircuitBreaker((work: Work) => work(), {
      // Deadlines belong to the data source (per attempt and overall); a second timer here would only
      // disagree with them.
      timeout: false,
      volumeThreshold: policy.minRequests,
      errorThresholdPercentage: policy.failureRate * 100,
      resetTimeout: policy.cooldownMs,
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 10,
      errorFilter: (error: unknown) => !(error instanceof GatewayError && OUTAGE_CODES.has(error.code)),
    });
    const changed = (state: BreakerState) => deps.onStateChange?.(state);
    this.#breaker.on('open', () => {
      this.#openedAt = Date.now();
      deps.log.warn(
        { event: 'cobalt-breaker-open', cooldownMs: policy.cooldownMs },
        'Cobalt keeps failing: circuit breaker opened, failing fast',
      );
      changed('open');
    });
    this.#breaker.on('halfOpen', () => {
      deps.log.info({ event: 'cobalt-breaker-half-open' }, 'circuit breaker half-open: the next Cobalt call probes');
      changed('half-open');
    });
    this.#breaker.on('close', () => {
      deps.log.info({ event: 'cobalt-breaker-closed' }, 'Cobalt answered again: circuit breaker closed');
      changed('closed');
    });
  }

  get state(): BreakerState {
    if (this.#breaker.opened) return 'open';
    return this.#breaker.halfOpen ? 'half-open' : 'closed';
  }

  /** Operations refused without calling Cobalt since start. */
  get rejections(): number {
    return this.#rejections;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      // opossum types its result by the action's (erased) return type; `work` is what produced it.
      return (await this.#breaker.fire(work)) as T;
    } catch (error) {
      if (isBreakerRejection(error)) {
        this.#rejections += 1;
        throw new GatewayError(ErrorCode.COBALT_UNAVAILABLE, { retryAfterSeconds: this.#secondsUntilProbe() });
      }
      throw error;
    }
  }

  /** Stops the breaker's window timer. */
  shutdown(): void {
    this.#breaker.shutdown();
  }

  #secondsUntilProbe(): number {
    const remaining = this.#openedAt + this.#cooldownMs - Date.now();
    return Math.max(1, Math.ceil(remaining / 1000));
  }
}

function isBreakerRejection(error: unknown): boolean {
  // EOPENBREAKER while open, and while half-open for every call but the probe.
  return error instanceof Error && (error as Error & { code?: unknown }).code === 'EOPENBREAKER';
}
