import { EventEmitter } from 'node:events';
import type http from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { ConnectionDrain, type DrainOutcome } from '../../../src/server/connection-drain';
import { ManualClock } from '../../support/manual-clock';

/** A connection as the drain sees it: closes when destroyed. */
class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

function setUp() {
  const clock = new ManualClock();
  const server = new EventEmitter();
  const drain = new ConnectionDrain(server as unknown as http.Server, clock);
  const connect = () => {
    const socket = new FakeSocket();
    server.emit('connection', socket);
    return socket;
  };
  /** A request read on `socket`; call the result to answer it. */
  const request = (socket: FakeSocket) => {
    const res = new EventEmitter();
    server.emit('request', { socket }, res);
    return () => res.emit('close');
  };
  let outcome: DrainOutcome | undefined;
  const start = (timeoutMs: number, idleGraceMs: number) => {
    void drain.drain(clock.monotonic() + timeoutMs, idleGraceMs).then((result) => (outcome = result));
  };
  return { clock, connect, request, start, outcome: () => outcome };
}

describe('ConnectionDrain', () => {
  it('closes an idle kept-alive connection only after the idle grace, serving a request that arrives meanwhile', async () => {
    const { clock, connect, request, start, outcome } = setUp();
    const idle = connect();
    const reused = connect();

    start(10_000, 1000);
    await clock.advance(500);
    const answer = request(reused);
    await clock.advance(600);

    expect(idle.destroyed).toBe(true);
    expect(reused.destroyed).toBe(false);

    answer();
    await clock.advance(999);
    expect(reused.destroyed).toBe(false);
    await clock.advance(1);

    expect(reused.destroyed).toBe(true);
    expect(outcome()).toEqual({ drained: 2, reset: 0 });
  });

  it('gives a connection idle since long before the drain the whole grace, counted from the start of the drain', async () => {
    const { clock, connect, request, start, outcome } = setUp();
    const longIdle = connect();
    await clock.advance(60_000);

    start(10_000, 1000);
    await clock.advance(0);
    expect(longIdle.destroyed).toBe(false);
    const answer = request(longIdle); // the client reused it just as the drain began: served, not reset
    answer();
    await clock.advance(1000);

    expect(longIdle.destroyed).toBe(true);
    expect(outcome()).toEqual({ drained: 1, reset: 0 });
  });

  it('cuts at the deadline a connection with a request still in flight, and counts it as reset', async () => {
    const { clock, connect, request, start, outcome } = setUp();
    const busy = connect();
    request(busy);

    start(5000, 1000);
    await clock.advance(4999);
    expect(busy.destroyed).toBe(false);
    await clock.advance(1);

    expect(busy.destroyed).toBe(true);
    expect(outcome()).toEqual({ drained: 0, reset: 1 });
  });
});
