import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../infra/clock';

interface Tracked {
  /** Requests read on this connection and not yet answered. */
  inFlight: number;
  /** Monotonic time of its last answer (or of its opening). */
  idleSince: number;
  /** Cut at the deadline with a request in flight. */
  cut: boolean;
}

export interface DrainOutcome {
  /** Connections that closed with every request answered. */
  readonly drained: number;
  /** Connections cut at the deadline with a request in flight. */
  readonly reset: number;
}

// The drain wakes at least this often: a Clock sleep cannot be cancelled, and a long one left behind
// would hold a test process (or the event loop) open after the drain ended.
const MAX_WAIT_MS = 100;

/**
 * Knows every connection of a server and whether a request is in flight on it, so that shutdown
 * closes a kept-alive connection only when that loses nothing. Node's own `closeIdleConnections()`
 * cannot be used for that at the moment the listener closes: it counts a connection whose next
 * request is on the wire but not yet read as idle, and destroys it, resetting that request.
 */
export class ConnectionDrain {
  readonly #connections = new Map<Socket, Tracked>();
  readonly #waiters = new Set<() => void>();
  readonly #clock: Clock;

  constructor(server: http.Server, clock: Clock) {
    this.#clock = clock;
    server.on('connection', (socket: Socket) => {
      const tracked: Tracked = { inFlight: 0, idleSince: clock.monotonic(), cut: false };
      this.#connections.set(socket, tracked);
      socket.once('close', () => {
        this.#connections.delete(socket);
        this.#wake();
      });
    });
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const tracked = this.#connections.get(req.socket);
      if (tracked === undefined) return;
      tracked.inFlight += 1;
      res.once('close', () => {
        tracked.inFlight -= 1;
        tracked.idleSince = clock.monotonic();
        this.#wake();
      });
    });
  }

  /**
   * Call once the listener is closed and every answer carries `Connection: close` (Node then ends its
   * connection after it). Until `deadline` (monotonic): a connection with a request in flight is left
   * to finish; an idle one is closed once it has been idle for `idleGraceMs`, the time a request its
   * client sent just before seeing the listener close needs to arrive (it is then served). At the
   * deadline every connection left is cut. Resolves when none is left.
   */
  async drain(deadline: number, idleGraceMs: number): Promise<DrainOutcome> {
    let reset = 0;
    let drained = 0;
    // Idleness counts from the drain's start: a connection idle for minutes before it may carry a
    // request at this very moment, and closing it at once would reset that request.
    const startedAt = this.#clock.monotonic();
    for (const [socket, tracked] of this.#connections) {
      socket.once('close', () => {
        if (tracked.cut) reset += 1;
        else drained += 1;
      });
    }
    for (;;) {
      if (this.#connections.size === 0) return { drained, reset };
      const now = this.#clock.monotonic();
      if (now >= deadline) {
        for (const [socket, tracked] of this.#connections) {
          if (socket.destroyed) continue;
          tracked.cut = tracked.inFlight > 0;
          socket.destroy();
        }
        // A destroyed connection may close synchronously (nothing left to wait for) or a little later.
        if (this.#connections.size > 0) await this.#changed(MAX_WAIT_MS);
        continue;
      }
      let wakeAt = deadline;
      for (const [socket, tracked] of this.#connections) {
        if (tracked.inFlight > 0) continue;
        const due = Math.max(tracked.idleSince, startedAt) + idleGraceMs;
        if (due <= now) socket.destroy();
        else wakeAt = Math.min(wakeAt, due);
      }
      if (this.#connections.size > 0) await this.#changed(Math.min(wakeAt - now, MAX_WAIT_MS));
    }
  }

  /** Resolves when a connection closes or a request ends, or after `ms` of the clock. */
  #changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        resolve();
      };
      this.#waiters.add(done);
      void this.#clock.sleep(Math.max(ms, 0)).then(done);
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
