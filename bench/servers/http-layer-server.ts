import 'reflect-metadata';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createContextFunction } from '../../src/auth/context';
import type { JwtVerifier } from '../../src/auth/jwt-verifier';
import { createLogger } from '../../src/observability/logger';
import { createHttpServer } from '../../src/server/http-server';

/**
 * One HTTP layer in front of the same trivial Apollo schema, for `bench/http-layer.ts`.
 * argv[2]: `standalone` (Apollo's startStandaloneServer) or `node-http` (ours).
 */
const typeDefs = 'type Query { hello: String! } type Mutation { ping: String! }';
const resolvers = { Query: { hello: () => 'world' }, Mutation: { ping: () => 'pong' } };

async function main(): Promise<void> {
  const kind = process.argv[2];
  const apollo = new ApolloServer({ typeDefs, resolvers, includeStacktraceInErrorResponses: false });
  if (kind === 'standalone') {
    const { url } = await startStandaloneServer(apollo, { listen: { port: 0, host: '127.0.0.1' } });
    process.stdout.write(`${url}\n`);
    return;
  }
  await apollo.start();
  const log = createLogger({ level: 'silent' });
  const verifier: JwtVerifier = { verify: () => Promise.resolve({ ok: false, reason: 'invalid-token' }) };
  const server = createHttpServer({
    apollo: apollo as never,
    createContext: createContextFunction({ verifier, log }),
    log,
    maxBodyBytes: 65536,
    trustProxyHops: 0,
    metrics: new Registry(),
    readiness: () => ({ status: 'ready' }),
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql\n`);
  });
}

void main();
