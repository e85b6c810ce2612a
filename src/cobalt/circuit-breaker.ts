import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import { systemClock, type Clock } from '../infra/clock';
import type { Logger } from '../observability/logger';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerPolicy {
  /** Operations in the rolling window before the breaker may open at all. */
  readonly minRequests: number;
  /** Share (0–1] of counted failures in the window that opens it. */
  readonly failureRate: number;
  /** How long it stays open before letting one probe through. */
  readonly cooldownMs: number;
  /**
   * How long one probe holds the half-open breaker. A probe that has not settled by then (a call
   * that hangs) no longer blocks the next one; without a lease it would refuse everything forever.
   * Default: the cooldown.
   */
  readonly probeLeaseMs?: number;
}

export interface BreakerDeps {
  readonly log: Logger;
  readonly onStateChange?: (state: BreakerState) => void;
  /** Its window, cooldown and probe lease run on `monotonic()`. */
  readonly clock?: Clock;
  /**
   * Arms the timer that reports the end of a cooldown when no call comes; returns its cancel.
   * Default: a `setTimeout` that does not keep the process alive.
   */
  readonly setTimer?: (wake: () => void, ms: number) => () => void;
}

/** What an operation said about Cobalt: up, down, or nothing (a bug of ours threw). */
type Outcome = 'answered' | 'outage' | 'unknown';

// Cobalt being down or answering garbage. Caller errors (unknown linked account, a bad key, 4xx) and
// Cobalt's 429 are answers from a working Cobalt: counting them would let one misconfigured client or
// a burst of new users cut everybody off.
const OUTAGE_CODES: ReadonlySet<ErrorCode> = new Set([ErrorCode.COBALT_UNAVAILABLE, ErrorCode.COBALT_BAD_RESPONSE]);

const WINDOW_MS = 10_000;
const BUCKET_MS = 1000;

/**
 * The Cobalt client's circuit breaker. It opens on a failure rate over a minimum volume of operations
 * in a rolling 10 s window, never on one failure; while open, operations fail at once with
 * COBALT_UNAVAILABLE and how long until the next probe, so a Cobalt outage costs neither the
 * gateway's sockets nor the users' time, and the token service can serve cached tokens instead.
 * After the cooldown one probe goes out: its success closes the breaker, an outage reopens it. A
 * probe holds the breaker for a lease only, so one that hangs does not refuse everything forever. An
 * error that is not a `GatewayError` is a bug of ours and says nothing about Cobalt: it is not
 * counted, and a probe that ends in one leaves the breaker half-open for the next call to probe.
 *
 * All timing comes from the clock, so tests move time instead of waiting out a cooldown.
 */
export class CobaltCircuitBreaker {
  readonly #policy: BreakerPolicy;
  readonly #deps: BreakerDeps;
  readonly #clock: Clock;
  readonly #window = new RollingCounts();
  #state: BreakerState = 'closed';
  #openedAt = 0;
  /** The probe out while half-open, until its lease ends; the next one replaces it after that. */
  #probe: { readonly leaseEndsAt: number } | undefined;
  #rejections = 0;
  #cancelWake: (() => void) | undefined;

  constructor(policy: BreakerPolicy, deps: BreakerDeps) {
    this.#policy = policy;
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
  }

  get state(): BreakerState {
    this.#halfOpenIfDue();
    return this.#state;
  }

  /** Operations refused without calling Cobalt since start. */
  get rejections(): number {
    return this.#rejections;
  }

  /** Runs `work` unless the breaker refuses it; counts its outcome. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.#halfOpenIfDue();
    if (this.#state === 'open' || this.#probeHeld()) {
      this.#rejections += 1;
      throw new GatewayError(ErrorCode.COBALT_UNAVAILABLE, { retryAfterSeconds: this.#secondsUntilProbe() });
    }
    const probe = this.#state === 'half-open' ? this.#takeProbe() : undefined;
    let outcome: Outcome = 'answered';
    try {
      return await work();
    } catch (error) {
      outcome = outcomeOf(error);
      throw error;
    } finally {
      if (probe !== undefined) this.#probed(probe, outcome);
      else if (this.#state === 'closed' && outcome !== 'unknown') this.#counted(outcome === 'outage');
    }
  }

  /** Stops the timer that reports the end of a cooldown. */
  shutdown(): void {
    this.#cancelWake?.();
    this.#cancelWake = undefined;
  }

  #counted(outage: boolean): void {
    const now = this.#clock.monotonic();
    this.#window.add(now, outage);
    if (!outage) return;
    const { operations, outages } = this.#window.totals(now);
    if (operations >= this.#policy.minRequests && outages / operations > this.#policy.failureRate) this.#open();
  }

  #probeHeld(): boolean {
    return this.#probe !== undefined && this.#clock.monotonic() < this.#probe.leaseEndsAt;
  }

  #takeProbe(): { readonly leaseEndsAt: number } {
    if (this.#probe !== undefined) {
      this.#deps.log.warn(
        { event: 'cobalt-breaker-probe-lapsed' },
        'the circuit breaker probe did not settle within its lease: letting another probe through',
      );
    }
    const now = this.#clock.monotonic();
    this.#probe = { leaseEndsAt: now + (this.#policy.probeLeaseMs ?? this.#policy.cooldownMs) };
    return this.#probe;
  }

  #probed(probe: { readonly leaseEndsAt: number }, outcome: Outcome): void {
    // A probe whose lease lapsed and was replaced: the one after it decides.
    if (this.#probe !== probe) return;
    this.#probe = undefined;
    // A bug of ours says nothing about Cobalt: stay half-open, and let the next call probe.
    if (outcome === 'unknown') return;
    if (outcome === 'outage') {
      this.#open();
      return;
    }
    // The outage is over: its failures must not reopen the breaker on the next single failure.
    this.#window.clear();
    this.#change('closed');
    this.#deps.log.info({ event: 'cobalt-breaker-closed' }, 'Cobalt answered again: circuit breaker closed');
  }

  #open(): void {
    this.#openedAt = this.#clock.monotonic();
    this.#change('open');
    this.#deps.log.warn(
      { event: 'cobalt-breaker-open', cooldownMs: this.#policy.cooldownMs },
      'Cobalt keeps failing: circuit breaker opened, failing fast',
    );
    // Reading the state applies the cooldown; this timer only makes sure its end is logged and
    // reported without traffic.
    this.#armWake(this.#policy.cooldownMs);
  }

  #armWake(ms: number): void {
    this.#cancelWake?.();
    this.#cancelWake = (this.#deps.setTimer ?? unrefTimer)(() => this.#woken(), ms);
  }

  #woken(): void {
    this.#cancelWake = undefined;
    if (this.#state !== 'open') return;
    // Timers and the clock round differently: a timer may fire a fraction of a millisecond before
    // the cooldown ends on the clock. Wait out the rest, or the breaker stays reported open until
    // the next call comes.
    const remaining = this.#openedAt + this.#policy.cooldownMs - this.#clock.monotonic();
    if (remaining > 0) this.#armWake(Math.ceil(remaining) + 1);
    else this.#halfOpenIfDue();
  }

  #halfOpenIfDue(): void {
    if (this.#state !== 'open' || this.#clock.monotonic() < this.#openedAt + this.#policy.cooldownMs) return;
    this.#change('half-open');
    this.#deps.log.info(
      { event: 'cobalt-breaker-half-open' },
      'circuit breaker half-open: the next Cobalt call probes',
    );
  }

  #change(state: BreakerState): void {
    this.#state = state;
    this.#deps.onStateChange?.(state);
  }

  #secondsUntilProbe(): number {
    const remaining = this.#openedAt + this.#policy.cooldownMs - this.#clock.monotonic();
    return Math.max(1, Math.ceil(remaining / 1000));
  }
}

function outcomeOf(error: unknown): Outcome {
  if (!(error instanceof GatewayError)) return 'unknown';
  return OUTAGE_CODES.has(error.code) ? 'outage' : 'answered';
}

/** A timer that never keeps the process alive. */
function unrefTimer(wake: () => void, ms: number): () => void {
  const timer = setTimeout(wake, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** Operations and outages per second over the last 10 s. */
class RollingCounts {
  #buckets: { second: number; operations: number; outages: number }[] = [];

  add(now: number, outage: boolean): void {
    const second = Math.floor(now / BUCKET_MS);
    this.#drop(second);
    let bucket = this.#buckets.at(-1);
    if (bucket?.second !== second) {
      bucket = { second, operations: 0, outages: 0 };
      this.#buckets.push(bucket);
    }
    bucket.operations += 1;
    if (outage) bucket.outages += 1;
  }

  totals(now: number): { operations: number; outages: number } {
    this.#drop(Math.floor(now / BUCKET_MS));
    let operations = 0;
    let outages = 0;
    for (const bucket of this.#buckets) {
      operations += bucket.operations;
      outages += bucket.outages;
    }
    return { operations, outages };
  }

  clear(): void {
    this.#buckets = [];
  }

  #drop(currentSecond: number): void {
    const oldest = currentSecond - WINDOW_MS / BUCKET_MS + 1;
    this.#buckets = this.#buckets.filter((bucket) => bucket.second >= oldest);
  }
}
