/** What /readyz says. */
export interface Readiness {
  readonly status: string;
  readonly checks?: Record<string, string>;
}

export async function readiness(gateway: { readonly origin: string }): Promise<Readiness> {
  return (await (await fetch(`${gateway.origin}/readyz`)).json()) as Readiness;
}

/** The Prometheus text of /metrics. */
export async function metricsText(gateway: { readonly origin: string }): Promise<string> {
  return (await fetch(`${gateway.origin}/metrics`)).text();
}

/** A token cache event count from /metrics (`l1Hits`, `l2Reads`, `l1Invalidations`…). */
export async function cacheEvents(gateway: { readonly origin: string }, event: string): Promise<number> {
  const line = (await metricsText(gateway))
    .split('\n')
    .find((l) => l.startsWith(`cobalt_gateway_token_cache_events_total{event="${event}"}`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}
