import { request } from 'node:http';
import { print, type GraphQLFormattedError } from 'graphql';
import { CreateSessionTokenDocument, type CreateSessionTokenMutation } from '../../client/generated/graphql';
import { graphqlRequest, type GraphQLResponse } from './graphql-request';
import type { Clock } from '../../src/infra/clock';
import { signTestJwt } from './jwt';

export interface MintOptions {
  readonly forceRefresh?: boolean;
  /** Extra request headers (x-forwarded-for, x-request-id…). */
  readonly headers?: Record<string, string>;
}

export interface Minted {
  readonly status: number;
  readonly body: GraphQLResponse<CreateSessionTokenMutation>['body'];
  /** The minted token, when there is one. */
  readonly data?: CreateSessionTokenMutation['createSessionToken'];
  /** The first error, when there is one. */
  readonly error?: GraphQLFormattedError;
}

/** `createSessionToken` over HTTP, with the bearer token given. */
export async function mintWithBearer(
  gateway: { readonly url: string } | string,
  bearer: string,
  options: MintOptions = {},
): Promise<Minted> {
  const url = typeof gateway === 'string' ? gateway : gateway.url;
  const res = await graphqlRequest(url, CreateSessionTokenDocument, {
    token: bearer,
    ...(options.forceRefresh !== undefined && { variables: { forceRefresh: options.forceRefresh } }),
    ...(options.headers !== undefined && { headers: options.headers }),
  });
  const data = res.body.data?.createSessionToken;
  const error = res.body.errors?.[0];
  return {
    status: res.status,
    body: res.body,
    ...(data !== undefined && { data }),
    ...(error !== undefined && { error }),
  };
}

/**
 * `createSessionToken` over HTTP as `account` signed in (a fresh HS256 bearer token for it, issued on
 * the gateway's clock when the test moves it).
 */
export async function mint(
  gateway: { readonly url: string; readonly clock?: Pick<Clock, 'now'> } | string,
  account: string,
  options: MintOptions = {},
): Promise<Minted> {
  const clock = typeof gateway === 'string' ? undefined : gateway.clock;
  return mintWithBearer(gateway, await signTestJwt({ sub: account }, clock === undefined ? {} : { clock }), options);
}

// Printed once: bursts send it thousands of times.
const MINT_BODY = JSON.stringify({ query: print(CreateSessionTokenDocument) });

/**
 * `createSessionToken` on a connection of its own, closed after it: for bursts of hundreds. `fetch`
 * pools keep-alive sockets, and one left idle by an earlier burst that outlasted the server's
 * keep-alive timeout can be closed by the server just as it is reused (ECONNRESET), a race that a
 * slow, loaded machine hits.
 */
export function mintOnOwnConnection(gateway: { readonly url: string }, bearer: string): Promise<Minted> {
  return new Promise((resolve, reject) => {
    const req = request(
      gateway.url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(MINT_BODY),
          authorization: `Bearer ${bearer}`,
          connection: 'close',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const body = JSON.parse(text) as Minted['body'];
            const data = body.data?.createSessionToken;
            const error = body.errors?.[0];
            resolve({
              status: res.statusCode ?? 0,
              body,
              ...(data !== undefined && { data }),
              ...(error !== undefined && { error }),
            });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(MINT_BODY);
  });
}
