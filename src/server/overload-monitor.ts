import { systemClock, type Clock } from '../infra/clock';
import type { Logger } from '../observability/logger';
import type { GatewayMetrics } from '../observability/metrics';
import { createNodeLoadSampler, type LoadSampler } from './load-sampler';

export type OverloadReason = 'event-loop-delay' | 'heap' | 'in-flight';

/** A refused request: why, and when the client may try again. */
export interface Shed {
  readonly reason: OverloadReason;
  readonly retryAfterSeconds: number;
}

export interface OverloadMonitorOptions {
  /** Worst event-loop delay in a sample window past which new requests are shed; 0 turns the check off. */
  readonly maxEventLoopDelayMs: number;
  /** Share of the heap limit in use past which new requests are shed; 0 turns the check off. */
  readonly maxHeapUsedRatio: number;
  /** GraphQL requests admitted and not yet answered, past which new ones are shed; 0 turns the check off. */
  readonly maxInFlight: number;
  readonly retryAfterSeconds: number;
  /** How often the sampler is read. */
  readonly sampleIntervalMs?: number;
  /** Built at `start()` (the default watches this process); tests hand in one they drive. */
  readonly sampler?: () => LoadSampler;
  readonly clock?: Clock;
  readonly log: Logger;
  readonly metrics: Pick<GatewayMetrics, 'overloadSheds' | 'overloaded'>;
}

const DEFAULT_SAMPLE_INTERVAL_MS = 100;
// A flapping load would otherwise write two lines per sample interval.
const WARN_EVERY_MS = 10_000;

/**
 * Load shedding in the manner of fastify's under-pressure: the event-loop delay and the heap are
 * sampled on a timer, and while either is over its threshold every new GraphQL request is refused
 * at once (HTTP 503, `OVERLOADED`), so the requests already admitted get the CPU and finish instead
 * of every request queueing until all are slow. Probes are never shed: the instance is busy, not
 * broken, and restarting it would move its load onto the others.
 *
 * The sample timer is itself a witness: when it is overdue by more than the delay threshold, the loop
 * is stalled right now (a burst being parsed), and requests are shed before the stall shows up in a
 * sample.
 *
 * Both signals lag: a burst arrives within one turn of the loop, before any timer can run, and each
 * request admitted then costs its CPU later (token check, GraphQL execution), in one long stall.
 * Measured with 5 000 concurrent mints on one core, about 1 400 were admitted before the first sample
 * and stalled the loop for 3.7 s, long enough to time out the Cobalt calls they were waiting for. So
 * a count bounds what one turn can admit: past `maxInFlight` requests admitted and not yet answered,
 * new ones are shed at once, whatever the timers have seen.
 */
export class OverloadMonitor {
  readonly #options: OverloadMonitorOptions;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  #sampler: LoadSampler | undefined;
  #inFlight = 0;
  #lastSampleAt = 0;
  #shedding: { reason: OverloadReason; since: number; sheds: number } | undefined;
  #lastWarnAt = Number.NEGATIVE_INFINITY;

  constructor(options: OverloadMonitorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#intervalMs = options.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
  }

  /** False when every threshold is 0: nothing is sampled and nothing is shed. */
  get enabled(): boolean {
    const { maxEventLoopDelayMs, maxHeapUsedRatio, maxInFlight } = this.#options;
    return maxEventLoopDelayMs > 0 || maxHeapUsedRatio > 0 || maxInFlight > 0;
  }

  start(): void {
    if (!this.enabled || this.#sampler !== undefined) return;
    this.#sampler = (this.#options.sampler ?? createNodeLoadSampler)();
    this.#lastSampleAt = this.#clock.monotonic();
    void this.#loop(this.#sampler);
  }

  stop(): void {
    this.#sampler?.close();
    this.#sampler = undefined;
    this.#leave();
  }

  /** For `/readyz`: `off`, `ok`, or `shedding:<reason>`. */
  status(): string {
    if (this.#sampler === undefined) return 'off';
    return this.#shedding === undefined ? 'ok' : `shedding:${this.#shedding.reason}`;
  }

  /** GraphQL requests admitted and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Asked once per new GraphQL request: `undefined` admits it (call `finished()` once it is answered
   * or abandoned), a `Shed` refuses it (and is counted).
   */
  admit(): Shed | undefined {
    if (this.#sampler === undefined) return undefined;
    const { maxEventLoopDelayMs, maxInFlight } = this.#options;
    const overdueMs = this.#clock.monotonic() - this.#lastSampleAt - this.#intervalMs;
    if (this.#shedding === undefined && maxEventLoopDelayMs > 0 && overdueMs > maxEventLoopDelayMs) {
      this.#enter('event-loop-delay', { overdueMs: Math.round(overdueMs) });
    }
    if (this.#shedding !== undefined) {
      this.#shedding.sheds += 1;
      return this.#shed(this.#shedding.reason);
    }
    if (maxInFlight > 0 && this.#inFlight >= maxInFlight) {
      this.#warn({ event: 'overload', reason: 'in-flight', inFlight: this.#inFlight });
      return this.#shed('in-flight');
    }
    this.#inFlight += 1;
    return undefined;
  }

  /** An admitted request was answered, or its client went away. */
  finished(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  /** Reads the sampler once and decides (the timer does this every interval; tests call it directly). */
  sampleNow(): void {
    const sampler = this.#sampler;
    if (sampler === undefined) return;
    const sample = sampler.sample();
    this.#lastSampleAt = this.#clock.monotonic();
    const { maxEventLoopDelayMs, maxHeapUsedRatio } = this.#options;
    const reason: OverloadReason | undefined =
      maxEventLoopDelayMs > 0 && sample.eventLoopDelayMs > maxEventLoopDelayMs
        ? 'event-loop-delay'
        : maxHeapUsedRatio > 0 && sample.heapUsedRatio > maxHeapUsedRatio
          ? 'heap'
          : undefined;
    if (reason === undefined) this.#leave();
    else if (this.#shedding === undefined) {
      this.#enter(reason, {
        eventLoopDelayMs: Math.round(sample.eventLoopDelayMs),
        heapUsedRatio: Math.round(sample.heapUsedRatio * 1000) / 1000,
      });
    } else this.#shedding.reason = reason;
  }

  #shed(reason: OverloadReason): Shed {
    this.#options.metrics.overloadSheds.inc({ reason });
    return { reason, retryAfterSeconds: this.#options.retryAfterSeconds };
  }

  async #loop(sampler: LoadSampler): Promise<void> {
    while (this.#sampler === sampler) {
      await this.#clock.sleep(this.#intervalMs);
      if (this.#sampler === sampler) this.sampleNow();
    }
  }

  #enter(reason: OverloadReason, measured: Record<string, number>): void {
    const now = this.#clock.monotonic();
    this.#shedding = { reason, since: now, sheds: 0 };
    this.#options.metrics.overloaded.set(1);
    this.#warn({ event: 'overload', reason, ...measured });
  }

  #warn(fields: Record<string, unknown>): void {
    const now = this.#clock.monotonic();
    if (now - this.#lastWarnAt < WARN_EVERY_MS) return;
    this.#lastWarnAt = now;
    this.#options.log.warn(fields, 'overloaded: refusing new GraphQL requests with 503 OVERLOADED');
  }

  #leave(): void {
    const shedding = this.#shedding;
    if (shedding === undefined) return;
    this.#shedding = undefined;
    this.#options.metrics.overloaded.set(0);
    // Debug: the warning is rate-limited and the gauge shows the state; a flapping load ends an episode per sample.
    this.#options.log.debug(
      {
        event: 'overload-ended',
        reason: shedding.reason,
        sheds: shedding.sheds,
        ms: Math.round(this.#clock.monotonic() - shedding.since),
      },
      'load back under the thresholds: admitting new GraphQL requests',
    );
  }
}
