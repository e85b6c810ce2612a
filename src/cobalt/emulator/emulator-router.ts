import type { IncomingHttpHeaders } from 'node:http';
import type { ApiKeyOwner, EmulatorState } from './emulator-state';
import type { EmulatorTokens, TokenHolder } from './emulator-tokens';
import { HttpProblem } from './emulator-server';

/** A request to one of the Cobalt routes, body already read. */
export interface CobaltRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the Cobalt routes read and change. */
export interface CobaltBackend {
  readonly state: EmulatorState;
  readonly tokens: EmulatorTokens;
  /** API key → the org and data environment it selects. */
  readonly apiKeys: Readonly<Record<string, ApiKeyOwner>>;
  /** The emulator's base URL, for the connect URLs it hands out. */
  readonly url: string;
}

/** A verified `Authorization: Bearer` session token and whom it was minted for. */
export interface Bearer extends TokenHolder {
  readonly token: string;
}

export interface RouteCall<Auth> {
  readonly backend: CobaltBackend;
  readonly request: CobaltRequest;
  /** Who the route's authentication scheme says is calling. */
  readonly auth: Auth;
  /** The `:name` segments of the route's path, as received (still URL-encoded). */
  readonly params: Readonly<Record<string, string | undefined>>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'ANY';
type Handler<Auth> = (call: RouteCall<Auth>) => unknown;
interface RouteBase {
  readonly method: Method;
  readonly pattern: RegExp;
}

/** One row of a route table: which requests it answers and how the caller authenticates. */
export type Route =
  | (RouteBase & { readonly auth: 'none'; readonly handle: Handler<undefined> })
  | (RouteBase & { readonly auth: 'bearer'; readonly handle: Handler<Bearer> })
  | (RouteBase & { readonly auth: 'api-key'; readonly handle: Handler<ApiKeyOwner> });

/** `:name` matches one path segment. */
const compile = (path: string): RegExp => new RegExp(`^${path.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`);

/** Builders for route table rows, one per authentication scheme Cobalt uses. */
export const route = {
  /** No credentials (the hosted Connect page, opened from a URL that embeds the token). */
  open: (method: Method, path: string, handle: Handler<undefined>): Route => ({
    method,
    pattern: compile(path),
    auth: 'none',
    handle,
  }),
  /** `Authorization: Bearer <session token>`: browser and hosted-page calls for one linked account. */
  bearer: (method: Method, path: string, handle: Handler<Bearer>): Route => ({
    method,
    pattern: compile(path),
    auth: 'bearer',
    handle,
  }),
  /** `x-api-key: <org key>`: the server-side calls the gateway makes. */
  apiKey: (method: Method, path: string, handle: Handler<ApiKeyOwner>): Route => ({
    method,
    pattern: compile(path),
    auth: 'api-key',
    handle,
  }),
};

/**
 * Answers a request from the first row matching its method and path. Open and Bearer routes check
 * their own credentials; any other request, one that matches no row included, must carry a valid API
 * key first, so a keyless request to an unknown path is a 401 rather than a 404.
 */
export async function dispatch(
  routes: readonly Route[],
  backend: CobaltBackend,
  request: CobaltRequest,
): Promise<unknown> {
  const found = match(routes, request);
  if (found === undefined) {
    apiKeyOwner(backend, request);
    throw new HttpProblem(404, `Cannot ${request.method} ${request.path}`);
  }
  const { row, params } = found;
  const call = { backend, request, params };
  switch (row.auth) {
    case 'none':
      return row.handle({ ...call, auth: undefined });
    case 'bearer':
      return row.handle({ ...call, auth: await bearer(backend, request) });
    case 'api-key':
      return row.handle({ ...call, auth: apiKeyOwner(backend, request) });
  }
}

function match(routes: readonly Route[], request: CobaltRequest) {
  for (const row of routes) {
    if (row.method !== 'ANY' && row.method !== request.method) continue;
    const matched = row.pattern.exec(request.path);
    if (matched !== null) return { row, params: matched.groups ?? {} };
  }
  return undefined;
}

function apiKeyOwner(backend: CobaltBackend, request: CobaltRequest): ApiKeyOwner {
  const key = request.headers['x-api-key'];
  const owner = typeof key === 'string' ? backend.apiKeys[key] : undefined;
  if (owner === undefined) throw new HttpProblem(401, 'Invalid Credentials');
  return owner;
}

async function bearer(backend: CobaltBackend, request: CobaltRequest): Promise<Bearer> {
  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (token === undefined) throw new HttpProblem(401, 'Authorization Token Missing', 'INVALID_TOKEN');
  const who = await backend.tokens.verify(token);
  if (who === null) throw new HttpProblem(401, 'Invalid token', 'INVALID_TOKEN');
  return { ...who, token };
}
