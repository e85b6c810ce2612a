/**
 * The org-wide budget of calls to Cobalt, taken before every attempt (retries included), so a burst
 * of users cannot get the whole organisation throttled by Cobalt. The Cobalt client owns this
 * interface; the rate limits implement it.
 */
export interface CobaltCallBudget {
  /**
   * Resolves once a call may go out, waiting at most `maxWaitMs` for the next second's budget;
   * otherwise throws COBALT_RATE_LIMITED (which the token service may answer with a cached token).
   */
  acquire(maxWaitMs: number): Promise<void>;
}
