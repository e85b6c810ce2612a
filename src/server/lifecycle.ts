import type http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Clock } from '../infra/clock';
import type { Logger } from '../observability/logger';
import type { GatewayMetrics } from '../observability/metrics';
import { ConnectionDrain } from './connection-drain';
import type { Phase } from './readiness';

/** Where the instance is in its life; read by readiness and by the HTTP layer while draining. */
export class ServerPhase {
  #current: Phase = 'starting';

  get current(): Phase {
    return this.#current;
  }

  /** Only the lifecycle moves it. */
  moveTo(next: Phase): void {
    this.#current = next;
  }
}

export interface Lifecycle {
  /** Opens dependencies, then listens; resolves with the GraphQL URL. */
  start(): Promise<{ url: string; port: number; probesUrl?: string }>;
  /**
   * Leaves rotation (`/readyz` 503) while still serving for the readiness delay, then closes the
   * listener and drains the connections (within the shutdown timeout), then closes the dependencies.
   */
  stop(): Promise<void>;
}

export interface LifecycleDeps {
  readonly server: http.Server;
  readonly phase: ServerPhase;
  readonly log: Logger;
  readonly clock: Clock;
  readonly metrics: Pick<GatewayMetrics, 'shutdownConnections'>;
  readonly host: string;
  readonly port: number;
  /** A listener for the probes alone, on `probePort`; it closes last, so `/readyz` 503 stays visible. */
  readonly probes?: { readonly server: http.Server; readonly port: number };
  /** Serving on, out of rotation, so the load balancer stops sending before the listener closes. */
  readonly readinessDelayMs: number;
  /** Past this after the listener closed, requests still in flight are cut. */
  readonly shutdownTimeoutMs: number;
  /** How long a kept-alive connection must have been idle before the drain closes it. */
  readonly idleGraceMs: number;
  /** Run before listening, in order (connect the infrastructure, start Apollo). */
  readonly beforeListen: readonly (() => Promise<void>)[];
  /** Run after the last connection closed, in order (stop Apollo, the services, the infrastructure). */
  readonly afterClose: readonly (() => Promise<void>)[];
}

/**
 * Stops accepting connections and leaves the open ones alone. `http.Server#close()` would also call
 * `closeIdleConnections()` at this instant, resetting the requests already on their way over
 * kept-alive connections; the drain closes those connections instead, each when that loses nothing.
 */
function closeListener(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    net.Server.prototype.close.call(server, () => resolve());
  });
}

/** Listening, draining and shutdown, in the order the parts depend on each other. */
export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const { server, log, phase, clock } = deps;
  const connections = new ConnectionDrain(server, clock);
  let stopped: Promise<void> | undefined;

  async function shutdown(): Promise<void> {
    phase.moveTo('stopping');
    log.info({ event: 'readiness-withdrawn', delayMs: deps.readinessDelayMs }, 'out of rotation: /readyz answers 503');
    if (deps.readinessDelayMs > 0) await clock.sleep(deps.readinessDelayMs);

    // From here every answer carries `Connection: close` (see the HTTP server), so each kept-alive
    // connection closes after its next answer.
    phase.moveTo('draining');
    const listenerClosed = closeListener(server);
    log.info({ event: 'listener-closed', timeoutMs: deps.shutdownTimeoutMs }, 'listener closed: draining connections');
    const outcome = await connections.drain(clock.monotonic() + deps.shutdownTimeoutMs, deps.idleGraceMs);
    await listenerClosed;
    deps.metrics.shutdownConnections.inc({ outcome: 'drained' }, outcome.drained);
    deps.metrics.shutdownConnections.inc({ outcome: 'reset' }, outcome.reset);
    if (outcome.reset > 0) {
      log.warn({ event: 'shutdown-timeout', ...outcome }, 'shutdown timeout: cut connections still in flight');
    }
    log.info({ event: 'connections-drained', ...outcome }, 'connections drained');
    // Clears the server's header-timeout timer; there is no connection left for it to close.
    server.close();
    for (const step of deps.afterClose) await step();
    if (deps.probes !== undefined) {
      deps.probes.server.close();
      deps.probes.server.closeAllConnections();
    }
  }

  function listen(target: http.Server, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      target.once('error', reject);
      target.listen(port, deps.host, () => {
        target.off('error', reject);
        resolve((target.address() as AddressInfo).port);
      });
    });
  }

  return {
    async start() {
      for (const step of deps.beforeListen) await step();
      const port = await listen(server, deps.port);
      const probePort = deps.probes === undefined ? undefined : await listen(deps.probes.server, deps.probes.port);
      phase.moveTo('serving');
      const host = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
      return {
        url: `http://${host}:${port}/graphql`,
        port,
        ...(probePort !== undefined && { probesUrl: `http://${host}:${probePort}` }),
      };
    },
    stop() {
      stopped ??= shutdown();
      return stopped;
    },
  };
}
