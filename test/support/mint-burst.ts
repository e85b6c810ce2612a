import { mintOnOwnConnection } from './mint';

export interface BurstAnswer {
  /** The HTTP status, or 0 when the request failed at the transport (reset, refused, timeout). */
  readonly status: number;
  readonly token?: string;
  readonly code?: string;
  /** The transport error, when there was one. */
  readonly error?: string;
}

/**
 * `count` concurrent `createSessionToken` POSTs, each on its own connection (as that many separate
 * browsers would), request i signed in with `bearers[i % bearers.length]`. node:http rather than
 * fetch: a burst generator as light as possible, so that the load lands on the gateway rather than
 * on the process sending it. A request that fails at the transport is counted, not thrown.
 */
export function burstMints(url: string, bearers: readonly string[], count: number): Promise<BurstAnswer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      mintOnOwnConnection({ url }, bearers[i % bearers.length]!).then(
        ({ status, data, error }): BurstAnswer => {
          const code = error?.extensions?.['code'];
          return {
            status,
            ...(data !== undefined && { token: data.token }),
            ...(typeof code === 'string' && { code }),
          };
        },
        (failure: unknown): BurstAnswer => ({
          status: 0,
          error: failure instanceof Error ? failure.message : String(failure),
        }),
      ),
    ),
  );
}
