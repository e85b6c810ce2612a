import { isUnknownLinkedAccount } from './cobalt-error-mapper';
import type { CobaltFailure } from './cobalt-failure';

/**
 * Which failures a second attempt can fix: the connection, the deadline of one attempt, a gateway
 * in front of Cobalt (502/503/504) and Cobalt's rate limit. Never 400/401/403, never the
 * deterministic "No linked account found" (even when Cobalt sends it as a 500), never a 2xx we
 * could not read.
 */
export function isRetryable(failure: CobaltFailure): boolean {
  switch (failure.kind) {
    case 'timeout':
    case 'network':
      return true;
    case 'invalid-response':
      return false;
    case 'http':
      if (isUnknownLinkedAccount(failure.body)) return false;
      return [429, 502, 503, 504].includes(failure.status);
  }
}

const BASE_MS = 100;
const CAP_MS = 2000;

/** Exponential backoff with full jitter (AWS, "Exponential Backoff and Jitter"). */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(CAP_MS, BASE_MS * 2 ** retry));
}

export interface RetryBudgetOptions {
  /** Share of the window's calls that may be retried. */
  readonly ratio?: number;
  /** Retries always allowed per second, however few the calls. */
  readonly minPerSecond?: number;
  readonly windowMs?: number;
  /** Monotonic milliseconds. */
  readonly now?: () => number;
}

/**
 * A retry budget with Finagle's defaults: within a 10 s window, retries may add at most 20 % to the
 * calls made, plus a floor of 10 retries per second so a quiet gateway can still retry. An outage
 * is then not multiplied by the retry count.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #minPerSecond: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  #windowStart: number;
  #calls = 0;
  #retries = 0;

  constructor(options: RetryBudgetOptions = {}) {
    this.#ratio = options.ratio ?? 0.2;
    this.#minPerSecond = options.minPerSecond ?? 10;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#now = options.now ?? (() => performance.now());
    this.#windowStart = this.#now();
  }

  recordCall(): void {
    this.#roll();
    this.#calls += 1;
  }

  /** Spends one retry if the budget allows it. */
  tryRetry(): boolean {
    this.#roll();
    if (this.#retries >= (this.#minPerSecond * this.#windowMs) / 1000 + this.#ratio * this.#calls) return false;
    this.#retries += 1;
    return true;
  }

  #roll(): void {
    const now = this.#now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#calls = 0;
      this.#retries = 0;
    }
  }
}
