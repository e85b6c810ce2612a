import http from 'node:http';

/**
 * The floor of bench/run.ts: bare `node:http` answering every request with a fixed JSON body the size
 * of a cached mint's answer, after reading the request body. No GraphQL, no auth, no logging: what one
 * core can do on this machine with nothing but Node's HTTP stack and the loopback.
 */
const body = JSON.stringify({
  data: {
    createSessionToken: {
      token: 'eyJhbGciOiJIUzI1NiJ9.eyJsaW5rZWRfYWNjb3VudF9pZCI6ImNvbnN0YW50In0.c2lnbmF0dXJl',
      expiresAt: '2030-01-01T00:00:00.000Z',
      linkedAccountId: 'bench-user-0',
    },
  },
});
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(Buffer.byteLength(body)),
};

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, headers).end(body));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') process.stdout.write(`http://127.0.0.1:${address.port}/\n`);
});
// Exit on the bench's SIGTERM through process.exit, so that `--cpu-prof` still writes its profile.
process.on('SIGTERM', () => process.exit(0));
