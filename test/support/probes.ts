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
