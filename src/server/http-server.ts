import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Registry } from 'prom-client';
import type { ContextInput, GatewayContext } from '../auth/context';
import type { Logger } from '../observability/logger';
import { requestIdFrom, requestScope } from '../observability/request-scope';
import { inSpan } from '../observability/tracing';
import { PLAYGROUND_CSP, type Playground } from './playground/playground';
import { clientIp } from './client-ip';
import type { OverloadMonitor } from './overload-monitor';
import { COMMON_HEADERS, guardSlowClients, send, sendGraphQLError, sendOverloaded } from './http-answers';
import { BodyTooLargeError, ClientAbortedError, readBody } from './read-body';
import { answerProbe } from './probes';
import type { Readiness } from './readiness';
import { serveInSpan } from './request-span';
import { errorPolicy } from '../errors/error-code';
import type { TrustedDocuments } from './trusted-documents/manifest';
import { resolveTrustedRequest, type TrustedDocumentsMode } from './trusted-documents/trusted-request';
import type { TrustedFastPath } from './trusted-documents/fast-path';

export interface HttpServerDeps {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly createContext: (input: ContextInput) => Promise<GatewayContext>;
  readonly log: Logger;
  readonly maxBodyBytes: number;
  /** Origins allowed to call `/graphql` from a browser on another origin. */
  readonly corsOrigins?: readonly string[];
  /** Served at `GET /metrics` in the Prometheus text format. */
  readonly metrics: Registry;
  /** Served at `GET /graphql` for browsers when set (development, or PLAYGROUND_ENABLED). */
  readonly playground?: Playground;
  /** True once the listener closed at shutdown: each answer then closes its connection (`Connection: close`). */
  readonly isDraining?: () => boolean;
  /** Reverse-proxy hops whose `X-Forwarded-For` entries are believed (TRUST_PROXY). */
  readonly trustProxyHops: number;
  /** Asked before each new GraphQL request is read; a `Shed` answers 503 `OVERLOADED` (none: never shed). */
  readonly overload?: Pick<OverloadMonitor, 'admit' | 'finished'>;
  /** TRUSTED_DOCUMENTS and the manifest it serves (none when `off`). */
  readonly trustedDocuments?: { readonly mode: TrustedDocumentsMode; readonly documents: TrustedDocuments };
  /** Answers a POST of a known trusted document without Apollo's pipeline (see docs/trusted-documents.md). */
  readonly trustedFastPath?: TrustedFastPath;
  /**
   * `/readyz`: `starting` and `stopping` answer 503 (take this instance out of rotation); `ready` and
   * `degraded` (still serving) answer 200.
   */
  readonly readiness: () => Readiness;
}

const GRAPHQL_PATH = '/graphql';

/**
 * CORS for an explicit allowlist only. Returns false when the request was a preflight and has been
 * answered. Bearer tokens travel in a header, not cookies, so credentials are never allowed.
 */
function applyCors(req: IncomingMessage, res: ServerResponse, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  const permitted = typeof origin === 'string' && allowed.includes(origin);
  if (permitted) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  }
  if (req.method !== 'OPTIONS') return true;
  if (!permitted) {
    res.writeHead(403, COMMON_HEADERS).end();
    return false;
  }
  res
    .writeHead(204, {
      ...COMMON_HEADERS,
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers':
        'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id',
      'access-control-max-age': '600',
    })
    .end();
  return false;
}

function prefersHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function servePlaygroundAsset(req: IncomingMessage, res: ServerResponse, playground: Playground, name: string): void {
  const asset = playground.asset(name);
  if (asset === undefined) {
    send(res, 404, 'application/json', '{"error":"not found"}');
    return;
  }
  // Versioned with the package: safe to cache for a while, revalidated by ETag.
  const headers = { ...COMMON_HEADERS, 'cache-control': 'public, max-age=3600', etag: asset.etag };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  res
    .writeHead(200, { ...headers, 'content-type': asset.contentType })
    .end(req.method === 'HEAD' ? undefined : asset.body);
}

function toHeaderMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/**
 * A thin node:http integration of Apollo Server (its documented `executeHTTPGraphQLRequest` path).
 * Chosen over Apollo's standalone server and Express by measurement (see README): it owns the body
 * limit, the headers and the probes without a framework's per-request cost.
 */
export function createHttpServer(deps: HttpServerDeps): http.Server {
  async function handleGraphQL(req: IncomingMessage, res: ServerResponse, requestId: string, search: string) {
    let raw: string | undefined;
    if (req.method === 'POST') {
      try {
        raw = await readBody(req, deps.maxBodyBytes);
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close');
          sendGraphQLError(res, 413, requestId, 'BAD_REQUEST', 'Request body too large.');
          return;
        }
        if (error instanceof ClientAbortedError) {
          // Debug, not error: any stranger can cause it at will, and an error log they can fill hides
          // the real alarms.
          deps.log.debug({ event: 'client-aborted', reason: error.reason }, error.message);
          res.destroy();
          return;
        }
        throw error;
      }
    }

    // Admitted once its body is in (and after CORS, so a browser on another origin can read a refusal
    // and its Retry-After): a client trickling its body must not hold one of the in-flight slots, or
    // a few hundred slow uploads would shed everyone else. Before the body is parsed.
    const shed = deps.overload?.admit();
    if (shed !== undefined) {
      sendOverloaded(req, res, requestId, shed);
      return;
    }
    if (deps.overload !== undefined) res.once('close', () => deps.overload?.finished());

    let body: unknown = raw;
    if (raw !== undefined && /^application\/([\w.-]+\+)?json\b/i.test(req.headers['content-type'] ?? '')) {
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        sendGraphQLError(res, 400, requestId, 'BAD_REQUEST', 'Request body is not valid JSON.');
        return;
      }
    }

    const method = req.method ?? 'GET';
    const authorization = req.headers.authorization;
    const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], deps.trustProxyHops);
    const context = { requestId, authorization, clientIp: ip };
    const fast =
      method === 'POST' ? deps.trustedFastPath?.answer({ body, accept: req.headers.accept, context }) : undefined;
    if (fast !== undefined) {
      const { status, contentType, body: text } = await fast;
      if (deps.isDraining?.() === true) res.setHeader('connection', 'close'); // as for Apollo's answers below
      send(res, status, contentType, text);
      return;
    }
    const trusted = resolveTrustedRequest(
      deps.trustedDocuments?.mode ?? 'off',
      deps.trustedDocuments?.documents ?? new Map(),
      { method, search, body },
    );
    if (trusted.kind === 'refuse') {
      sendGraphQLError(res, trusted.status, requestId, trusted.code, errorPolicy[trusted.code].message);
      return;
    }
    const headers = toHeaderMap(req);
    // A trusted query by GET cannot be a mutation in disguise, which is what CSRF prevention guards against.
    if (trusted.csrfExempt) headers.set('apollo-require-preflight', 'trusted-document');
    // The GraphQL operation's span; the tracing plugin names it once the operation is known.
    const result = await inSpan('graphql', {}, () =>
      deps.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: trusted.search, body: trusted.body },
        context: () => deps.createContext(context),
      }),
    );

    const answer: Record<string, string> = { ...COMMON_HEADERS };
    for (const [name, value] of result.headers) answer[name] = value;
    // A request already running when shutdown began must not leave its connection kept alive:
    // server.close() would wait out the keep-alive timeout for it.
    if (deps.isDraining?.() === true) answer['connection'] = 'close';
    if (result.body.kind === 'complete') {
      answer['content-length'] = String(Buffer.byteLength(result.body.string));
      res.writeHead(result.status ?? 200, answer).end(result.body.string);
      return;
    }
    res.writeHead(result.status ?? 200, answer);
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const search = queryAt === -1 ? '' : url.slice(queryAt);

    const isRead = req.method === 'GET' || req.method === 'HEAD';
    if (path === GRAPHQL_PATH && isRead && deps.playground !== undefined && prefersHtml(req)) {
      res.writeHead(200, {
        ...COMMON_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': PLAYGROUND_CSP,
      });
      res.end(deps.playground.html);
      return;
    }
    if (path.startsWith('/playground/') && isRead && deps.playground !== undefined) {
      servePlaygroundAsset(req, res, deps.playground, path.slice('/playground/'.length));
      return;
    }
    if (path === '/favicon.ico' && isRead && deps.playground !== undefined) {
      // Browsers ask for it on every visit; an empty answer keeps their consoles clean.
      res.writeHead(204, { ...COMMON_HEADERS, 'cache-control': 'public, max-age=86400' }).end();
      return;
    }
    if (path === '/' && isRead && deps.playground !== undefined) {
      res.writeHead(302, { ...COMMON_HEADERS, location: GRAPHQL_PATH }).end();
      return;
    }
    if (path === GRAPHQL_PATH) {
      if (!applyCors(req, res, deps.corsOrigins ?? [])) return;
      return handleGraphQL(req, res, requestId, search);
    }
    if (await answerProbe(path, req, res, deps)) return;
    send(res, 404, 'application/json', '{"error":"not found"}');
  }

  const server = http.createServer((req, res) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    if (deps.isDraining?.() === true) res.setHeader('connection', 'close');
    const serve = () =>
      requestScope.run({ requestId }, () => {
        route(req, res, requestId).catch((error: unknown) => {
          deps.log.error({ err: error }, 'unhandled error in HTTP handler');
          if (!res.headersSent)
            sendGraphQLError(res, 500, requestId, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
          else res.destroy();
        });
      });
    // Probes and playground assets are not traced: they would drown the requests that matter.
    const url = req.url ?? '';
    if (url === GRAPHQL_PATH || url.startsWith(`${GRAPHQL_PATH}?`)) serveInSpan(req, res, GRAPHQL_PATH, serve);
    else serve();
  });
  guardSlowClients(server);
  return server;
}
