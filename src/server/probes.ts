import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { guardSlowClients, send } from './http-answers';
import type { Readiness } from './readiness';

export interface ProbeDeps {
  /** Served at `GET /metrics` in the Prometheus text format. */
  readonly metrics: Registry;
  readonly readiness: () => Readiness;
}

/**
 * `/healthz`, `/readyz` and `/metrics`. True when `path` was one of them and has been answered.
 * Shared by the main listener and the probe listener (`HEALTH_PORT`).
 */
export async function answerProbe(path: string, req: IncomingMessage, res: ServerResponse, deps: ProbeDeps) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/healthz') {
    send(res, 200, 'application/json', '{"status":"ok"}');
    return true;
  }
  if (path === '/metrics') {
    send(res, 200, deps.metrics.contentType, await deps.metrics.metrics());
    return true;
  }
  if (path === '/readyz') {
    const readiness = deps.readiness();
    const outOfRotation = readiness.status === 'starting' || readiness.status === 'stopping';
    send(res, outOfRotation ? 503 : 200, 'application/json', JSON.stringify(readiness));
    return true;
  }
  return false;
}

/**
 * A listener for the probes alone, as Apollo Router and Envoy keep their health checks on an admin
 * port. Under a burst the main listener's accept queue overflows, and a probe's connection then waits
 * for the kernel's SYN retransmissions (1 s, 3 s...) however healthy the process is: an orchestrator
 * would restart a busy instance and move its load onto the others. This listener has a queue of its own.
 */
export function createProbeServer(deps: ProbeDeps): http.Server {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    answerProbe(path, req, res, deps)
      .then((answered) => {
        if (!answered) send(res, 404, 'application/json', '{"error":"not found"}');
      })
      .catch(() => {
        if (!res.headersSent) send(res, 500, 'application/json', '{"error":"internal"}');
        else res.destroy();
      });
  });
  guardSlowClients(server);
  return server;
}
