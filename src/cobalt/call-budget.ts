/**
 * The org-wide budget every call to Cobalt draws from, retries included. Cobalt limits calls per
 * organisation (docs/cobalt-contract.md#rate-limits-and-retry-after), so one burst of users must not
 * get the whole organisation throttled. Owned here, by its consumer; implemented in `rate-limits/`.
 */
export interface CobaltCallBudget {
  /**
   * Resolves once a call may go out, waiting at most `maxWaitMs` for the next second's budget;
   * otherwise throws COBALT_RATE_LIMITED (which the token service may answer with a cached token).
   */
  acquire(maxWaitMs: number): Promise<void>;
}
