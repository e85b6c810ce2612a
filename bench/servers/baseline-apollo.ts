import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { jwtVerify } from 'jose';

/**
 * The baseline of bench/run.ts: a bare Apollo Server 5 standalone server doing the least a token
 * endpoint can do: verify the same HS256 bearer token with jose and return a constant token.
 */
const secret = new TextEncoder().encode(process.env['BENCH_JWT_SECRET'] ?? '');
const typeDefs = `
  type SessionToken { token: String! expiresAt: String! linkedAccountId: ID! }
  type Query { ok: Boolean }
  type Mutation { createSessionToken: SessionToken! }
`;
const resolvers = {
  Mutation: {
    createSessionToken: (_: unknown, __: unknown, context: { sub: string }) => ({
      token: 'eyJhbGciOiJIUzI1NiJ9.eyJsaW5rZWRfYWNjb3VudF9pZCI6ImNvbnN0YW50In0.c2lnbmF0dXJl',
      expiresAt: '2030-01-01T00:00:00.000Z',
      linkedAccountId: context.sub,
    }),
  },
};

async function main(): Promise<void> {
  const server = new ApolloServer<{ sub: string }>({ typeDefs, resolvers });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
      return { sub: String(payload.sub) };
    },
  });
  process.stdout.write(`${url}\n`);
}

void main();
