import net from 'node:net';

/**
 * What the proxy does to traffic. Toxiproxy's fault types, rebuilt on node:net
 * because the Go binary cannot be installed here.
 */
export type Fault =
  /** Forward both ways untouched. */
  | { readonly kind: 'pass' }
  /** Hold a new connection `connectMs` before forwarding anything, and/or delay every chunk by `chunkMs`. */
  | { readonly kind: 'latency'; readonly connectMs?: number; readonly chunkMs?: number }
  /** Answers arrive `bytes` at a time, one slice every `everyMs` (the client-to-target direction passes). */
  | { readonly kind: 'trickle'; readonly bytes: number; readonly everyMs: number }
  /** A TCP RST: new connections on accept, open ones on their next chunk either way. */
  | { readonly kind: 'reset' }
  /**
   * Accept, forward nothing, answer nothing. Data is held, not dropped, as in a stalled network (and
   * toxiproxy's `timeout` with 0): TCP never loses bytes from a live stream, it delivers them late or
   * breaks the connection, so a healed black hole delivers what it held.
   */
  | { readonly kind: 'blackhole' }
  /** Not listening: connections are refused; open ones are closed (toxiproxy's `down`). */
  | { readonly kind: 'refuse' }
  /**
   * Alternates `good` (default pass) and `bad`: every `everyMs` (phase 0 is good), or every
   * `everyConnections` connections (the first ones are good), each connection keeping its phase.
   */
  | {
      readonly kind: 'flap';
      readonly bad: SteadyFault;
      readonly good?: SteadyFault;
      readonly everyMs?: number;
      readonly everyConnections?: number;
    };

export type SteadyFault = Exclude<Fault, { kind: 'refuse' } | { kind: 'flap' }>;

export interface FaultProxyStats {
  /** Connections accepted since start (refused ones never are). */
  readonly accepted: number;
  /** Connections currently open on the client side. */
  readonly open: number;
  /** Connections the proxy reset, at accept or later. */
  readonly resets: number;
  /** Bytes delivered to the target. */
  readonly bytesUpstream: number;
  /** Bytes delivered to the client. */
  readonly bytesDownstream: number;
}

type Direction = 'up' | 'down';
type Item = { readonly at: number; readonly chunk: Buffer } | { readonly at: number; readonly end: true };

/** One client connection and its connection to the target, with an ordered queue per direction. */
class Link {
  readonly queues: Record<Direction, Item[]> = { up: [], down: [] };
  readonly timers: Record<Direction, NodeJS.Timeout | undefined> = { up: undefined, down: undefined };
  readonly upstream: net.Socket;
  /** No chunk is delivered before this instant (connection latency). */
  readonly holdUntil: number;
  closed = false;

  constructor(
    readonly client: net.Socket,
    target: { host: string; port: number },
    /** The flap phase assigned at accept, for `everyConnections` flapping. */
    readonly badByCount: boolean,
    holdMs: number,
  ) {
    this.holdUntil = Date.now() + holdMs;
    this.upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
  }

  socket(direction: Direction): net.Socket {
    return direction === 'up' ? this.upstream : this.client;
  }
}

/**
 * A TCP proxy on 127.0.0.1:0 in front of `target`, whose fault can be switched while connections are
 * open. It counts what it carries, can drop every connection, and leaves no socket or timer behind
 * once `close()` resolves.
 */
export class FaultProxy {
  readonly #target: { host: string; port: number };
  readonly #server: net.Server;
  readonly #links = new Set<Link>();
  #fault: Fault = { kind: 'pass' };
  #faultSince = Date.now();
  #connectionsSinceFault = 0;
  #port = 0;
  #closed = false;
  #stats = { accepted: 0, resets: 0, bytesUpstream: 0, bytesDownstream: 0 };

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    // A client's FIN closes its side at once (no half-open clients): otherwise a client that gave up
    // would look connected until the data held for it drained, and the proxy itself would leak sockets.
    this.#server = net.createServer({ allowHalfOpen: false }, (client) => this.#accept(client));
  }

  /** Starts a proxy to `target` (`host:port`, or a URL such as `redis://127.0.0.1:6379`). */
  static async start(target: string | { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(typeof target === 'string' ? parseTarget(target) : target);
    await proxy.#listen(0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** `http://127.0.0.1:<port>`, for an HTTP target. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The target's URL with its host and port replaced by the proxy's (keeps scheme, path, credentials). */
  urlFor(targetUrl: string): string {
    const url = new URL(targetUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.#port);
    return url.toString().replace(/\/$/, '');
  }

  get fault(): Fault {
    return this.#fault;
  }

  stats(): FaultProxyStats {
    return { ...this.#stats, open: this.#links.size };
  }

  /** Switches the fault for new connections and for the next chunks of open ones. */
  async setFault(fault: Fault): Promise<void> {
    if (this.#closed) throw new Error('fault proxy is closed');
    const wasRefusing = this.#fault.kind === 'refuse';
    this.#fault = fault;
    this.#faultSince = Date.now();
    this.#connectionsSinceFault = 0;
    if (fault.kind === 'refuse') {
      if (!wasRefusing) {
        const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
        this.dropAll({ reset: false });
        await closed;
      }
      return;
    }
    if (wasRefusing) await this.#listen(this.#port);
    // Held data (black hole, a shorter latency) may be deliverable now.
    for (const link of this.#links) for (const direction of ['up', 'down'] as const) this.#pump(link, direction);
  }

  /** Closes every open connection, with a RST by default (as a crashed peer or a middlebox would). */
  dropAll(options: { reset?: boolean } = {}): void {
    for (const link of [...this.#links]) this.#teardown(link, options.reset ?? true);
  }

  /** Resolves once at most `count` connections are open, or rejects after `timeoutMs`. */
  async waitForOpenAtMost(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#links.size > count) {
      if (Date.now() > deadline) throw new Error(`${this.#links.size} connections still open, expected ≤ ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = this.#server.listening
      ? new Promise<void>((resolve) => this.#server.close(() => resolve()))
      : Promise.resolve();
    this.dropAll({ reset: false });
    await closed;
  }

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as net.AddressInfo).port;
  }

  #accept(client: net.Socket): void {
    this.#stats.accepted += 1;
    this.#connectionsSinceFault += 1;
    const fault = this.#fault;
    const badByCount =
      fault.kind === 'flap' &&
      fault.everyConnections !== undefined &&
      Math.floor((this.#connectionsSinceFault - 1) / fault.everyConnections) % 2 === 1;
    const now = this.#steady(fault, badByCount);
    if (this.#closed || now.kind === 'reset' || fault.kind === 'refuse') {
      // A connection that raced the listener's close is refused as well as we can: closed at once.
      if (now.kind === 'reset') this.#stats.resets += 1;
      client.on('error', () => undefined);
      if (now.kind === 'reset') client.resetAndDestroy();
      else client.destroy();
      return;
    }
    const link = new Link(client, this.#target, badByCount, now.kind === 'latency' ? (now.connectMs ?? 0) : 0);
    this.#links.add(link);
    client.on('data', (chunk: Buffer) => this.#receive(link, 'up', chunk));
    link.upstream.on('data', (chunk: Buffer) => this.#receive(link, 'down', chunk));
    client.on('end', () => this.#enqueue(link, 'up', { at: Date.now(), end: true }));
    link.upstream.on('end', () => this.#enqueue(link, 'down', { at: Date.now(), end: true }));
    // Either side failing ends the pair: a client that gave up takes its upstream with it, and a
    // target that died is seen by the client as a reset.
    client.on('error', () => this.#teardown(link, false));
    link.upstream.on('error', () => this.#teardown(link, true));
    // A clean close of either side arrives as 'end' first and is forwarded in order, after the data
    // queued before it; only the client's socket closing ends the pair.
    client.on('close', () => this.#teardown(link, false));
  }

  /** The fault that applies to this link now. */
  #current(link: Link): SteadyFault {
    return this.#steady(this.#fault, link.badByCount);
  }

  #steady(fault: Fault, badByCount: boolean): SteadyFault {
    if (fault.kind === 'refuse') return { kind: 'blackhole' };
    if (fault.kind !== 'flap') return fault;
    const good = fault.good ?? { kind: 'pass' };
    if (fault.everyConnections !== undefined) return badByCount ? fault.bad : good;
    const everyMs = fault.everyMs ?? 1000;
    return Math.floor((Date.now() - this.#faultSince) / everyMs) % 2 === 1 ? fault.bad : good;
  }

  #receive(link: Link, direction: Direction, chunk: Buffer): void {
    if (link.closed) return;
    const fault = this.#current(link);
    if (fault.kind === 'reset') {
      this.#teardown(link, true);
      return;
    }
    const now = Date.now();
    if (fault.kind === 'latency' && fault.chunkMs !== undefined) {
      this.#enqueue(link, direction, { at: now + fault.chunkMs, chunk });
    } else if (fault.kind === 'trickle' && direction === 'down') {
      const queue = link.queues.down;
      let at = Math.max(now, queue.at(-1)?.at ?? now);
      for (let offset = 0; offset < chunk.length; offset += fault.bytes) {
        at += fault.everyMs;
        queue.push({ at, chunk: chunk.subarray(offset, offset + fault.bytes) });
      }
      this.#pump(link, direction);
    } else {
      this.#enqueue(link, direction, { at: now, chunk });
    }
  }

  #enqueue(link: Link, direction: Direction, item: Item): void {
    if (link.closed) return;
    const queue = link.queues[direction];
    // Never overtake what is already queued: TCP is a stream.
    const last = queue.at(-1);
    queue.push(last !== undefined && last.at > item.at ? { ...item, at: last.at } : item);
    this.#pump(link, direction);
  }

  /** Delivers whatever is due, in order, and sets one timer for the next item. */
  #pump(link: Link, direction: Direction): void {
    if (link.closed) return;
    clearTimeout(link.timers[direction]);
    link.timers[direction] = undefined;
    if (this.#current(link).kind === 'blackhole') {
      // Held until the fault changes: setFault pumps again, and a timed flap at its next phase.
      const fault = this.#fault;
      if (fault.kind === 'flap' && fault.everyConnections === undefined) {
        const everyMs = fault.everyMs ?? 1000;
        const nextPhaseIn = everyMs - ((Date.now() - this.#faultSince) % everyMs);
        link.timers[direction] = setTimeout(() => this.#pump(link, direction), nextPhaseIn);
      }
      return;
    }
    const queue = link.queues[direction];
    const target = link.socket(direction);
    const now = Date.now();
    while (queue.length > 0) {
      const next = queue[0]!;
      const due = Math.max(next.at, link.holdUntil);
      if (due > now) {
        link.timers[direction] = setTimeout(() => this.#pump(link, direction), due - now);
        return;
      }
      queue.shift();
      if ('end' in next) {
        target.end();
        continue;
      }
      if (direction === 'up') this.#stats.bytesUpstream += next.chunk.length;
      else this.#stats.bytesDownstream += next.chunk.length;
      target.write(next.chunk);
    }
  }

  #teardown(link: Link, reset: boolean): void {
    if (link.closed) return;
    link.closed = true;
    this.#links.delete(link);
    for (const direction of ['up', 'down'] as const) {
      clearTimeout(link.timers[direction]);
      link.queues[direction].length = 0;
    }
    if (reset) this.#stats.resets += 1;
    for (const socket of [link.client, link.upstream]) {
      socket.on('error', () => undefined);
      // resetAndDestroy needs a connected TCP handle; a socket still connecting can only be destroyed.
      if (reset && !socket.destroyed && !socket.connecting) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}

function parseTarget(target: string): { host: string; port: number } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    const url = new URL(target);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  }
  const separator = target.lastIndexOf(':');
  return { host: target.slice(0, separator), port: Number(target.slice(separator + 1)) };
}
