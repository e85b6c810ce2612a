import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { FaultProxy } from '../support/fault-proxy';

/** A client connection that records what it receives and how it ended. */
interface Peer {
  readonly socket: net.Socket;
  readonly received: { at: number; bytes: number }[];
  text(): string;
  /** Resolves with the error code that ended the connection, or 'closed' for a clean close. */
  readonly ended: Promise<string>;
}

function connect(port: number): Promise<Peer> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const received: Peer['received'] = [];
  const chunks: Buffer[] = [];
  let failure = 'closed';
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    received.push({ at: Date.now(), bytes: chunk.length });
  });
  socket.on('error', (error: NodeJS.ErrnoException) => (failure = error.code ?? 'ERROR'));
  const ended = new Promise<string>((resolve) => socket.on('close', () => resolve(failure)));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve({ socket, received, text: () => Buffer.concat(chunks).toString(), ended }));
    socket.once('error', reject);
  });
}

/** How a connection attempt ended: its error code, or the code that ended it once connected. */
async function connectOutcome(port: number): Promise<string> {
  try {
    const peer = await connect(port);
    return await peer.ended;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'ERROR';
  }
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the fault proxy', () => {
  let echo: net.Server;
  let echoPort: number;
  const serverSockets = new Set<net.Socket>();
  let proxy: FaultProxy;
  const peers: Peer[] = [];

  async function open(): Promise<Peer> {
    const peer = await connect(proxy.port);
    peers.push(peer);
    return peer;
  }

  beforeAll(async () => {
    echo = net.createServer((socket) => {
      serverSockets.add(socket);
      socket.on('close', () => serverSockets.delete(socket));
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });
  beforeEach(async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: echoPort });
  });
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.socket.destroy();
    await proxy.close();
    await until(() => serverSockets.size === 0);
  });

  it('passes bytes both ways and counts connections and bytes', async () => {
    const peer = await open();

    peer.socket.write('hello');
    await until(() => peer.text() === 'hello');

    expect(proxy.stats()).toEqual({ accepted: 1, open: 1, resets: 0, bytesUpstream: 5, bytesDownstream: 5 });
    peer.socket.end();
    expect(await peer.ended).toBe('closed');
    await proxy.waitForOpenAtMost(0);
  });

  it('proxies HTTP to a real server with a URL it rewrites', async () => {
    const web = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    const target = `http://127.0.0.1:${(web.address() as net.AddressInfo).port}`;
    const webProxy = await FaultProxy.start(target);
    try {
      const res = await fetch(`${webProxy.urlFor(target)}/anything`, { headers: { connection: 'close' } });

      expect(await res.text()).toBe('ok');
      expect(webProxy.stats().accepted).toBe(1);
      await webProxy.waitForOpenAtMost(0);
    } finally {
      await webProxy.close();
      await new Promise<void>((resolve) => web.close(() => resolve()));
    }
  });

  it('delays a new connection by connectMs and every chunk by chunkMs', async () => {
    await proxy.setFault({ kind: 'latency', connectMs: 300 });
    const slowStart = await open();
    const startedAt = Date.now();
    slowStart.socket.write('a');
    await until(() => slowStart.text() === 'a');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(280);

    await proxy.setFault({ kind: 'latency', chunkMs: 150 });
    const perChunk = await open();
    const sentAt = Date.now();
    perChunk.socket.write('b');
    await until(() => perChunk.text() === 'b');

    // Once on the way up, once on the way down.
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(280);
  });

  it('trickles answers a few bytes at a time', async () => {
    await proxy.setFault({ kind: 'trickle', bytes: 2, everyMs: 50 });
    const peer = await open();
    const sentAt = Date.now();

    peer.socket.write('0123456789');
    await until(() => peer.text() === '0123456789');

    // The receiving socket may merge pieces that arrive while its process is busy, so the count of
    // reads is only a lower bound; the time cannot be shorter than the proxy's schedule.
    expect(peer.received.length).toBeGreaterThanOrEqual(2);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(200);
  });

  it('resets new connections on accept and open ones on their next chunk', async () => {
    const before = await open();
    await proxy.setFault({ kind: 'reset' });

    const freshEnd = await connectOutcome(proxy.port);
    before.socket.write('x');

    expect(freshEnd).toBe('ECONNRESET');
    expect(await before.ended).toBe('ECONNRESET');
    expect(proxy.stats()).toMatchObject({ resets: 2, open: 0 });
  });

  it('black-holes traffic while the fault lasts and delivers what it held once it clears', async () => {
    await proxy.setFault({ kind: 'blackhole' });
    const peer = await open();

    peer.socket.write('held');
    // Nothing but the fault changing releases held bytes; a short look shows they are held.
    await sleep(100);
    expect(peer.text()).toBe('');
    expect(proxy.stats()).toMatchObject({ accepted: 1, open: 1, bytesUpstream: 0 });

    await proxy.setFault({ kind: 'pass' });
    await until(() => peer.text() === 'held');
  });

  it('refuses connections while down, closes open ones, and listens on the same port again', async () => {
    const port = proxy.port;
    const before = await open();

    await proxy.setFault({ kind: 'refuse' });
    const refused = await connectOutcome(port);

    expect(refused).toBe('ECONNREFUSED');
    expect(await before.ended).toBe('closed');

    await proxy.setFault({ kind: 'pass' });
    const after = await open();
    after.socket.write('back');
    await until(() => after.text() === 'back');
    expect(proxy.port).toBe(port);
  });

  it('flaps every k connections, each keeping its phase', async () => {
    await proxy.setFault({ kind: 'flap', bad: { kind: 'reset' }, everyConnections: 2 });

    const outcomes: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const peer = await connect(proxy.port).catch(() => undefined);
      if (peer === undefined) {
        outcomes.push('reset');
        continue;
      }
      peers.push(peer);
      peer.socket.write('?');
      const result = await Promise.race([
        until(() => peer.text() === '?', 1000).then(() => 'ok'),
        peer.ended.then((code) => (code === 'ECONNRESET' ? 'reset' : code)),
      ]);
      outcomes.push(result);
    }

    expect(outcomes).toEqual(['ok', 'ok', 'reset', 'reset', 'ok', 'ok']);
  });

  it('flaps every n ms between pass and a black hole', async () => {
    const since = Date.now();
    // Periods of a second, so a busy CI machine's scheduling jitter stays well inside each phase.
    await proxy.setFault({ kind: 'flap', bad: { kind: 'blackhole' }, everyMs: 1000 });
    const peer = await open();

    peer.socket.write('1');
    await until(() => peer.text() === '1', 800);
    await sleep(since + 1200 - Date.now());
    peer.socket.write('2');
    await sleep(since + 1500 - Date.now());
    const duringBad = peer.text();
    await until(() => peer.text() === '12', 2500);

    expect(duringBad).toBe('1');
    expect(Date.now() - since).toBeGreaterThanOrEqual(1990);
  });

  it('drops every open connection with a reset on request', async () => {
    const a = await open();
    const b = await open();
    await until(() => serverSockets.size === 2);

    proxy.dropAll();

    expect(await a.ended).toBe('ECONNRESET');
    expect(await b.ended).toBe('ECONNRESET');
    expect(proxy.stats().open).toBe(0);
    await until(() => serverSockets.size === 0);
  });

  it('closes with connections open in every delaying fault, leaving no timer or socket behind', async () => {
    await proxy.setFault({ kind: 'latency', chunkMs: 10_000 });
    (await open()).socket.write('late');
    await proxy.setFault({ kind: 'trickle', bytes: 1, everyMs: 10_000 });
    (await open()).socket.write('slow');
    await proxy.setFault({ kind: 'blackhole' });
    (await open()).socket.write('held');
    await until(() => proxy.stats().open === 3);

    await proxy.close();

    expect(proxy.stats().open).toBe(0);
    await Promise.all(peers.map((peer) => peer.ended));
    // jest would report a timer or socket still open here (and the file would not exit).
  });
});
