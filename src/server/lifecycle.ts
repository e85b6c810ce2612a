import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger';
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
  /** Stops accepting connections, lets in-flight requests finish (within the timeout), then closes. */
  stop(): Promise<void>;
}

export interface LifecycleDeps {
  readonly server: http.Server;
  readonly phase: ServerPhase;
  readonly log: Logger;
  readonly host: string;
  readonly port: number;
  /** Past this, requests still in flight at shutdown are cut. */
  readonly shutdownTimeoutMs: number;
  /** Run before listening, in order (connect the infrastructure, start Apollo). */
  readonly beforeListen: readonly (() => Promise<void>)[];
  /** Run after the last connection closed, in order (stop Apollo, the services, the infrastructure). */
  readonly afterClose: readonly (() => Promise<void>)[];
}

/** Listening, draining and shutdown, in the order the parts depend on each other. */
export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const { server, log, phase } = deps;
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
    async stop() {
      phase.moveTo('stopping');
      // In-flight requests finish (their answers carry `connection: close`); idle keep-alive
      // connections go now. Past the shutdown timeout the stragglers are cut.
      const cutOff = setTimeout(() => {
        log.warn({ event: 'shutdown-timeout' }, 'shutdown timeout: closing connections still in flight');
        server.closeAllConnections();
      }, deps.shutdownTimeoutMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearTimeout(cutOff);
      for (const step of deps.afterClose) await step();
    },
  };
}
