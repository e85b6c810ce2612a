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
  start(): Promise<{ url: string; port: number }>;
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
  }

  return {
    async start() {
      for (const step of deps.beforeListen) await step();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(deps.port, deps.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      phase.moveTo('serving');
      const { port } = server.address() as AddressInfo;
      const host = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
      return { url: `http://${host}:${port}/graphql`, port };
    },
    stop() {
      stopped ??= shutdown();
      return stopped;
    },
  };
}
