import { randomBytes, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { jwtVerify, SignJWT } from 'jose';
import { APPLICATIONS, applicationsFor } from './applications';
import { FaultBoard, type EmulatorFault, type FaultRule } from './faults';

/**
 * A Cobalt emulator: a real HTTP server that follows Cobalt's public contract as written down in
 * shared/cobalt-api.md (section numbers below refer to it), including the parts where Cobalt's own
 * docs disagree, which are switches. It is the gateway's embedded upstream in development and the
 * upstream of the integration tests.
 */

export type Environment = 'test' | 'production';

export interface EmulatorSettings {
  /** Lifetime of minted tokens. Cobalt's samples last 72 h (§2.3); its guide says 24 h. */
  tokenTtlSeconds: number;
  /** `current`: `{token, refresh_token, expires_in, refresh_expires_in}`; `legacy`: `{token}` (§2.2). */
  responseShape: 'current' | 'legacy';
  /** Unknown linked account: legacy docs answer 500, current ones 400 INVALID_LINKED_ACCOUNT_ID (§2.5). */
  unknownAccountStyle: 'legacy-500' | 'current-400';
}

export interface EmulatorOptions extends Partial<EmulatorSettings> {
  readonly host?: string;
  readonly port?: number;
  /** API key → the org and data environment it selects (§1.2). */
  readonly apiKeys: Readonly<Record<string, { orgId: string; environment: Environment }>>;
  /** Linked accounts that exist from the start, in the environment of the first API key by default. */
  readonly seedAccounts?: readonly { accountId: string; name?: string; environment?: Environment }[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly at: number;
}

export interface LinkedAccount {
  _id: string;
  associated_org: string;
  account_id: string;
  environment: Environment;
  name?: string;
  udf: { key_name: string; key_value: string; _id: string; createdAt: string; updatedAt: string }[];
  integrations: unknown[] | null;
  createdAt: string;
  updatedAt: string;
  __v: number;
}

interface IssuedToken {
  token: string;
  iat: number;
  exp: number;
}

const MAX_RECORDED = 10_000;
const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
const HOSTED_PROPERTIES_TTL_MS = 3 * 24 * 3600_000;
const HTTP_ERROR_TYPE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode = 'SERVER_ERROR',
  ) {
    super(message);
  }
}

const objectId = (): string => randomBytes(12).toString('hex');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export class CobaltEmulator {
  readonly settings: EmulatorSettings;
  readonly faults = new FaultBoard();
  readonly requests: RecordedRequest[] = [];
  readonly #secret = randomBytes(32);
  readonly #options: EmulatorOptions;
  readonly #accounts = new Map<string, LinkedAccount>();
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #revoked = new Set<string>();
  readonly #connected = new Map<string, Set<string>>();
  /** Bodies posted to /connect-url, keyed by the session token, as Cobalt keeps them for 3 days (§6.4). */
  readonly #hostedProperties = new Map<string, { body: unknown; until: number }>();
  #receivedTotal = 0;
  readonly #sockets = new Set<Socket>();
  readonly #server: http.Server;
  #url = '';

  constructor(options: EmulatorOptions) {
    this.#options = options;
    this.settings = {
      tokenTtlSeconds: options.tokenTtlSeconds ?? 72 * 3600,
      responseShape: options.responseShape ?? 'current',
      unknownAccountStyle: options.unknownAccountStyle ?? 'current-400',
    };
    const defaultEnv = Object.values(options.apiKeys)[0]?.environment ?? 'test';
    const defaultOrg = Object.values(options.apiKeys)[0]?.orgId ?? objectId();
    for (const seed of options.seedAccounts ?? []) {
      this.#upsertAccount(defaultOrg, seed.environment ?? defaultEnv, seed.accountId, { name: seed.name });
    }
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) this.#sendError(res, new HttpProblem(500, 'Emulator failure'));
        else res.destroy();
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Base URL, e.g. `http://127.0.0.1:43123` (no trailing slash). */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port ?? 0, this.#options.host ?? '127.0.0.1', () => resolve());
    });
    const { address, port } = this.#server.address() as AddressInfo;
    this.#url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  addFault(fault: EmulatorFault, rule: Omit<FaultRule, 'fault'> = {}): void {
    this.faults.add({ ...rule, fault });
  }

  addLinkedAccount(accountId: string, apiKey = Object.keys(this.#options.apiKeys)[0] ?? ''): void {
    const owner = this.#options.apiKeys[apiKey];
    if (owner === undefined) throw new Error('addLinkedAccount: unknown API key');
    this.#upsertAccount(owner.orgId, owner.environment, accountId, {});
  }

  /**
   * Makes Cobalt hold an already-issued token for the account that expires in `expiresInSeconds`,
   * as when its reuse rule hands back a token minted long ago (cobalt-api.md §2.4). Returns it.
   */
  async issueToken(
    accountId: string,
    expiresInSeconds: number,
    apiKey = Object.keys(this.#options.apiKeys)[0] ?? '',
  ): Promise<string> {
    const owner = this.#options.apiKeys[apiKey];
    if (owner === undefined) throw new Error('issueToken: unknown API key');
    const exp = nowSeconds() + expiresInSeconds;
    const iat = exp - this.settings.tokenTtlSeconds;
    const token = await this.#sign(owner, accountId, iat, exp);
    this.#tokens.set(`${owner.environment}:${accountId}`, { token, iat, exp });
    return token;
  }

  /** Requests received on a path (all when omitted), oldest first. */
  received(path?: string): RecordedRequest[] {
    return path === undefined ? [...this.requests] : this.requests.filter((r) => r.path === path);
  }

  reset(): void {
    this.faults.clear();
    this.requests.length = 0;
    this.#tokens.clear();
    this.#revoked.clear();
    this.#hostedProperties.clear();
  }

  /** What the hosted page would read back for a connect URL's token (`GET /hosted-properties`). */
  hostedProperties(token: string): unknown {
    return this.#hostedProperties.get(token)?.body;
  }

  /** The linked account as stored (udf array included), or undefined. */
  linkedAccount(accountId: string, environment: Environment = 'test'): Readonly<LinkedAccount> | undefined {
    return this.#findAccount(environment, accountId);
  }

  /** Verifies a token minted here: signature, expiry and revocation. For Bearer-authenticated routes. */
  async verifySessionToken(
    token: string,
  ): Promise<{ orgId: string; linkedAccountId: string; environment: Environment } | null> {
    if (this.#revoked.has(token)) return null;
    try {
      const { payload } = await jwtVerify(token, this.#secret, { algorithms: ['HS256'] });
      const { org_id: orgId, linked_account_id: linkedAccountId, environment } = payload;
      if (typeof orgId !== 'string' || typeof linkedAccountId !== 'string') return null;
      return { orgId, linkedAccountId, environment: environment === 'production' ? 'production' : 'test' };
    } catch {
      return null;
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;

    if (path.startsWith('/__emulator/')) {
      this.#admin(req.method ?? 'GET', path, body, res);
      return;
    }

    // Cobalt's frontend SDK calls from the browser with a Bearer token, so answer CORS like Cobalt.
    const origin = req.headers.origin;
    if (typeof origin === 'string') {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
          'access-control-allow-headers': 'authorization, content-type, x-api-key, linked_account_id',
          'access-control-max-age': '600',
        })
        .end();
      return;
    }

    this.#receivedTotal += 1;
    if (this.requests.length >= MAX_RECORDED) this.requests.shift();
    this.requests.push({
      method: req.method ?? '',
      path,
      search: url.search,
      headers: { ...req.headers },
      body,
      at: Date.now(),
    });

    const fault = this.faults.take(path);
    if (fault !== undefined && (await this.#applyFault(fault, req, res))) return;

    try {
      const result = await this.#route(req.method ?? 'GET', path, url.searchParams, req.headers, body);
      this.#sendJson(res, 200, result);
    } catch (error) {
      if (error instanceof HttpProblem) this.#sendError(res, error);
      else throw error;
    }
  }

  /** Returns true when the fault produced the whole answer. */
  async #applyFault(fault: EmulatorFault, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    switch (fault.type) {
      case 'latency':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return res.destroyed;
      case 'status': {
        const problem = new HttpProblem(fault.status, fault.message ?? `Emulated ${fault.status}`);
        if (fault.retryAfter !== undefined) res.setHeader('retry-after', fault.retryAfter);
        this.#sendError(res, problem);
        return true;
      }
      case 'hang':
        // Never answer; the socket is destroyed by stop() or by the client giving up.
        return true;
      case 'reset':
        req.socket.destroy();
        return true;
      case 'malformed':
        res.writeHead(200, { 'content-type': fault.contentType ?? 'application/json' }).end(fault.body);
        return true;
      case 'redirect':
        res.writeHead(307, { location: fault.location }).end();
        return true;
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < fault.chunks && !res.destroyed; i += 1) {
          res.write(' ');
          await new Promise((resolve) => setTimeout(resolve, fault.intervalMs));
        }
        if (!res.destroyed) res.end('{"token":"trickled"}');
        return true;
      }
    }
  }

  #admin(method: string, path: string, body: string, res: ServerResponse): void {
    if (path === '/__emulator/faults' && method === 'POST') {
      const rule = JSON.parse(body) as FaultRule;
      this.faults.add(rule);
      return this.#sendJson(res, 200, { ok: true });
    }
    if (path === '/__emulator/faults' && method === 'DELETE') {
      this.faults.clear();
      return this.#sendJson(res, 200, { ok: true });
    }
    if (path === '/__emulator/stats' && method === 'GET')
      return this.#sendJson(res, 200, { received: this.#receivedTotal });
    if (path === '/__emulator/requests' && method === 'GET') return this.#sendJson(res, 200, this.requests);
    if (path === '/__emulator/settings' && method === 'POST') {
      Object.assign(this.settings, JSON.parse(body) as Partial<EmulatorSettings>);
      return this.#sendJson(res, 200, this.settings);
    }
    if (path === '/__emulator/reset' && method === 'POST') {
      this.reset();
      return this.#sendJson(res, 200, { ok: true });
    }
    return this.#sendError(res, new HttpProblem(404, 'Unknown emulator admin route'));
  }

  async #route(
    method: string,
    path: string,
    query: URLSearchParams,
    headers: http.IncomingHttpHeaders,
    body: string,
  ): Promise<unknown> {
    if (path === '/api/v2/public/session-token/revoke' && method === 'POST') return this.#revoke(headers);
    if (path === '/api/v2/public/session/active-linked-account' && method === 'GET') {
      const who = await this.#bearer(headers);
      return (
        this.#findAccount(who.environment, who.linkedAccountId) ??
        this.#notFound(who.linkedAccountId, who.orgId, who.environment)
      );
    }

    if (path === '/api/v2/public/connect-url' && method === 'POST') {
      const who = await this.#bearer(headers);
      return this.#connectUrl(who.token, parseJson(body));
    }
    const hostedPage = /^\/connect\/([^/]+)$/.exec(path);
    if (hostedPage?.[1] !== undefined && method === 'GET') return this.#completeConnect(hostedPage[1]);
    if (path === '/api/v2/public/hosted-properties' && method === 'GET') {
      const who = await this.#bearer(headers);
      return this.#hostedProperties.get(who.token)?.body ?? {};
    }

    const sdkApp = /^\/api\/v2\/f-sdk\/application(?:\/([^/]+))?$/.exec(path);
    if (sdkApp !== null && method === 'GET') {
      const who = await this.#bearer(headers);
      return this.#applications(who.environment, who.linkedAccountId, who.orgId, sdkApp[1]);
    }

    const owner = this.#apiKeyOwner(headers);
    const publicApp = /^\/api\/v2\/public\/application(?:\/([^/]+))?$/.exec(path);
    if (publicApp !== null && method === 'GET') {
      const header = headers['linked_account_id'];
      const id = typeof header === 'string' ? header : (query.get('linked_account_id') ?? '');
      return this.#applications(owner.environment, id, owner.orgId, publicApp[1]);
    }
    if (path === '/api/v2/public/session-token' && method === 'POST') {
      return this.#mintSessionToken(owner, parseJson(body), query.get('force_refresh') === 'true');
    }
    if (path === '/api/v2/public/linked-account') {
      if (method === 'GET') return this.#listAccounts(owner, query);
      if (method === 'POST' || method === 'PUT') return this.#writeAccount(owner, parseJson(body), method === 'PUT');
    }
    const byId = /^\/api\/v2\/public\/linked-account\/([^/]+)$/.exec(path);
    if (byId?.[1] !== undefined) {
      const id = decodeURIComponent(byId[1]);
      const account = this.#findAccount(owner.environment, id);
      if (account === undefined) this.#notFound(id, owner.orgId, owner.environment);
      if (method === 'GET') return account;
      if (method === 'DELETE') {
        this.#accounts.delete(`${owner.environment}:${id}`);
        const issued = this.#tokens.get(`${owner.environment}:${id}`);
        if (issued !== undefined) this.#revoked.add(issued.token);
        this.#tokens.delete(`${owner.environment}:${id}`);
        return { message: 'User deleted successfully' };
      }
    }
    throw new HttpProblem(404, `Cannot ${method} ${path}`);
  }

  #apiKeyOwner(headers: http.IncomingHttpHeaders): { orgId: string; environment: Environment } {
    const key = headers['x-api-key'];
    const owner = typeof key === 'string' ? this.#options.apiKeys[key] : undefined;
    if (owner === undefined) throw new HttpProblem(401, 'Invalid Credentials');
    return owner;
  }

  /** The verified session token of a Bearer-authenticated route, and whom it was minted for. */
  async #bearer(headers: http.IncomingHttpHeaders) {
    const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    if (token === undefined) throw new HttpProblem(401, 'Authorization Token Missing', 'INVALID_TOKEN');
    const who = await this.verifySessionToken(token);
    if (who === null) throw new HttpProblem(401, 'Invalid token', 'INVALID_TOKEN');
    return { ...who, token };
  }

  async #mintSessionToken(
    owner: { orgId: string; environment: Environment },
    body: Record<string, unknown>,
    forceRefresh: boolean,
  ) {
    const id = body['linked_account_id'];
    if (typeof id !== 'string' || id === '') throw new HttpProblem(400, 'linked_account_id is required');
    if (this.#findAccount(owner.environment, id) === undefined) {
      const message = `No linked account found for account id : ${id} in environment ${owner.environment}`;
      if (this.settings.unknownAccountStyle === 'legacy-500') throw new HttpProblem(500, message);
      throw new HttpProblem(400, message, 'INVALID_LINKED_ACCOUNT_ID');
    }
    const key = `${owner.environment}:${id}`;
    const now = nowSeconds();
    let issued = this.#tokens.get(key);
    // Cobalt hands back its still-valid token unless asked to rotate (§2.1, §11.2).
    if (forceRefresh || issued === undefined || issued.exp <= now || this.#revoked.has(issued.token)) {
      const exp = now + this.settings.tokenTtlSeconds;
      issued = { token: await this.#sign(owner, id, now, exp), iat: now, exp };
      this.#tokens.set(key, issued);
    }
    if (this.settings.responseShape === 'legacy') return { token: issued.token };
    return {
      token: issued.token,
      refresh_token: `refresh.${randomBytes(16).toString('hex')}`,
      expires_in: issued.exp - now,
      refresh_expires_in: REFRESH_TTL_SECONDS - (now - issued.iat),
    };
  }

  #sign(
    owner: { orgId: string; environment: Environment },
    accountId: string,
    iat: number,
    exp: number,
  ): Promise<string> {
    return new SignJWT({ org_id: owner.orgId, linked_account_id: accountId, environment: owner.environment })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.#secret);
  }

  /** `POST /connect-url`: keeps the body for the hosted page and answers a URL that embeds the token (§6.4). */
  #connectUrl(token: string, body: Record<string, unknown>) {
    const now = Date.now();
    for (const [key, entry] of this.#hostedProperties) if (entry.until <= now) this.#hostedProperties.delete(key);
    this.#hostedProperties.set(token, { body, until: now + HOSTED_PROPERTIES_TTL_MS });
    return { hosted_url: `${this.#url}/connect/${token}` };
  }

  /**
   * Stands in for Cobalt's hosted Connect page, which is a web app, not part of the API: opening the
   * URL connects the app named by the `slug` the gateway stored with it, as if the user finished.
   */
  async #completeConnect(token: string) {
    const who = await this.verifySessionToken(token);
    const stored = this.#hostedProperties.get(token)?.body as { slug?: unknown } | undefined;
    if (who === null || stored === undefined) throw new HttpProblem(401, 'Invalid token', 'INVALID_TOKEN');
    const slug = typeof stored.slug === 'string' ? stored.slug : undefined;
    if (slug === undefined || !APPLICATIONS.some((app) => app.slug === slug)) {
      throw new HttpProblem(400, 'No application chosen for this hosted session');
    }
    this.connectApplication(who.linkedAccountId, slug, who.environment);
    return { connected: slug, message: 'Connected. You can close this window.' };
  }

  async #revoke(headers: http.IncomingHttpHeaders) {
    const { token } = await this.#bearer(headers);
    this.#revoked.add(token);
    return { success: true, revoked_count: 1 };
  }

  #applications(environment: Environment, accountId: string, orgId: string, slug: string | undefined) {
    if (this.#findAccount(environment, accountId) === undefined) this.#notFound(accountId, orgId, environment);
    const apps = applicationsFor(this.#connected.get(`${environment}:${accountId}`) ?? new Set());
    if (slug === undefined) return apps;
    const app = apps.find((a) => a.slug === decodeURIComponent(slug));
    if (app === undefined) {
      throw new HttpProblem(
        404,
        `Application with app_type '${slug}' not found for org ${orgId}`,
        'EXTERNAL_API_FAILURE',
      );
    }
    return app;
  }

  /** Marks an app as connected for a linked account (what finishing Cobalt's connect flow does). */
  connectApplication(accountId: string, slug: string, environment: Environment = 'test'): void {
    const key = `${environment}:${accountId}`;
    const set = this.#connected.get(key) ?? new Set<string>();
    set.add(slug);
    this.#connected.set(key, set);
  }

  /** Revokes a token as Cobalt's revoke route would, without going through HTTP. */
  revokeToken(token: string): void {
    this.#revoked.add(token);
  }

  #findAccount(environment: Environment, id: string): LinkedAccount | undefined {
    return this.#accounts.get(`${environment}:${id}`);
  }

  #notFound(id: string, orgId: string, environment: Environment): never {
    throw new HttpProblem(
      404,
      `Linked Account with account id ${id} for org ${orgId} in environment ${environment} not found`,
    );
  }

  #writeAccount(owner: { orgId: string; environment: Environment }, raw: Record<string, unknown>, upsert: boolean) {
    // PUT accepts the fields flat or nested under `payload` (payload wins), `account_id` as an alias (§5.3).
    const body =
      typeof raw['payload'] === 'object' && raw['payload'] !== null
        ? { ...raw, ...(raw['payload'] as Record<string, unknown>) }
        : raw;
    const id = body['linked_account_id'] ?? body['account_id'];
    if (typeof id !== 'string' || id === '')
      throw new HttpProblem(400, 'linked_account_id required', 'INVALID_LINKED_ACCOUNT_ID');
    const exists = this.#findAccount(owner.environment, id) !== undefined;
    if (exists && !upsert) {
      throw new HttpProblem(400, `Linked account with id ${id} already exists in the ${owner.environment} environment`);
    }
    const udf = typeof body['udf'] === 'object' && body['udf'] !== null ? (body['udf'] as Record<string, unknown>) : {};
    const name = typeof body['name'] === 'string' ? body['name'] : undefined;
    const account = this.#upsertAccount(owner.orgId, owner.environment, id, { name, udf });
    return upsert ? { ...account, new_account: !exists } : account;
  }

  #upsertAccount(
    orgId: string,
    environment: Environment,
    id: string,
    input: { name?: string | undefined; udf?: Record<string, unknown> },
  ): LinkedAccount {
    const now = new Date().toISOString();
    const key = `${environment}:${id}`;
    const account: LinkedAccount = this.#accounts.get(key) ?? {
      _id: objectId(),
      associated_org: orgId,
      account_id: id,
      environment,
      udf: [],
      integrations: null,
      createdAt: now,
      updatedAt: now,
      __v: 0,
    };
    if (input.name !== undefined) account.name = input.name;
    for (const [keyName, value] of Object.entries(input.udf ?? {})) {
      const existing = account.udf.find((u) => u.key_name === keyName);
      if (existing !== undefined) {
        existing.key_value = String(value);
        existing.updatedAt = now;
      } else {
        account.udf.push({
          key_name: keyName,
          key_value: String(value),
          _id: objectId(),
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    account.updatedAt = now;
    this.#accounts.set(key, account);
    return account;
  }

  #listAccounts(owner: { environment: Environment }, query: URLSearchParams) {
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const limit = Math.max(1, Math.min(100, Number(query.get('limit') ?? 10) || 10));
    const all = [...this.#accounts.values()].filter((a) => a.environment === owner.environment);
    const totalPages = Math.max(1, Math.ceil(all.length / limit));
    return {
      docs: all.slice((page - 1) * limit, page * limit),
      totalDocs: all.length,
      limit,
      totalPages,
      page,
      pagingCounter: (page - 1) * limit + 1,
      hasPrevPage: page > 1,
      hasNextPage: page < totalPages,
      prevPage: page > 1 ? page - 1 : null,
      nextPage: page < totalPages ? page + 1 : null,
    };
  }

  #sendJson(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }

  /** Cobalt's envelope with every spelling of the code at once (§1.4, §12), so both client generations are exercised. */
  #sendError(res: ServerResponse, problem: HttpProblem): void {
    this.#sendJson(res, problem.status, {
      status_code: problem.status,
      http_error_type: HTTP_ERROR_TYPE[problem.status] ?? 'INTERNAL_SERVER_ERROR',
      error: problem.errorCode,
      error_code: problem.errorCode,
      message: problem.message,
      request_id: randomUUID(),
    });
  }
}

function parseJson(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new HttpProblem(400, 'Request body must be a JSON object');
}

export async function startCobaltEmulator(options: EmulatorOptions): Promise<CobaltEmulator> {
  return new CobaltEmulator(options).start();
}
