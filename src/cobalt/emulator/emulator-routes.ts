import { randomBytes } from 'node:crypto';
import { APPLICATIONS, applicationsFor } from './applications';
import { route, type Bearer, type CobaltBackend, type Route, type RouteCall } from './emulator-router';
import { HttpProblem, parseJsonObject } from './emulator-server';
import type { ApiKeyOwner, Environment } from './emulator-state';

/**
 * The Cobalt API as the emulator answers it (docs/cobalt-contract.md): session tokens, linked
 * accounts, applications and the hosted Connect flow. Each row names its authentication scheme; the
 * handlers below see only callers that passed it.
 */
export const COBALT_ROUTES: readonly Route[] = [
  route.bearer('POST', '/api/v2/public/session-token/revoke', revoke),
  route.bearer('GET', '/api/v2/public/session/active-linked-account', activeLinkedAccount),
  route.bearer('POST', '/api/v2/public/connect-url', connectUrl),
  route.open('GET', '/connect/:token', completeConnect),
  route.bearer('GET', '/api/v2/public/hosted-properties', hostedProperties),
  route.bearer('GET', '/api/v2/f-sdk/application', sdkApplications),
  route.bearer('GET', '/api/v2/f-sdk/application/:slug', sdkApplications),
  route.apiKey('GET', '/api/v2/public/application', publicApplications),
  route.apiKey('GET', '/api/v2/public/application/:slug', publicApplications),
  route.apiKey('POST', '/api/v2/public/session-token', mintSessionToken),
  route.apiKey('GET', '/api/v2/public/linked-account', listAccounts),
  route.apiKey('POST', '/api/v2/public/linked-account', (call) => writeAccount(call, false)),
  route.apiKey('PUT', '/api/v2/public/linked-account', (call) => writeAccount(call, true)),
  route.apiKey('ANY', '/api/v2/public/linked-account/:id', accountById),
];

/** Lifetime of the refresh token that current-shape mint answers carry. */
const REFRESH_TTL_SECONDS = 30 * 24 * 3600;

/** Cobalt's 404 for a linked account that does not exist (docs/cobalt-contract.md#unknown-linked-account). */
function notFound(id: string, orgId: string, environment: Environment): never {
  throw new HttpProblem(
    404,
    `Linked Account with account id ${id} for org ${orgId} in environment ${environment} not found`,
  );
}

function revoke({ backend, auth }: RouteCall<Bearer>) {
  backend.tokens.revoke(auth.token);
  return { success: true, revoked_count: 1 };
}

function activeLinkedAccount({ backend, auth }: RouteCall<Bearer>) {
  return (
    backend.state.findAccount(auth.environment, auth.linkedAccountId) ??
    notFound(auth.linkedAccountId, auth.orgId, auth.environment)
  );
}

/** Keeps the body for the hosted page and answers a URL that embeds the session token itself. */
function connectUrl({ backend, auth, request }: RouteCall<Bearer>) {
  backend.state.keepHostedProperties(auth.token, parseJsonObject(request.body));
  return { hosted_url: `${backend.url}/connect/${auth.token}` };
}

function hostedProperties({ backend, auth }: RouteCall<Bearer>) {
  return backend.state.hostedProperties(auth.token) ?? {};
}

/** The frontend SDK's route: the linked account is the one the session token was minted for. */
function sdkApplications({ backend, auth, params }: RouteCall<Bearer>) {
  return applications(backend, auth, auth.linkedAccountId, params['slug']);
}

/** The server-side route names the linked account in a header or, failing that, the query. */
function publicApplications({ backend, auth, request, params }: RouteCall<ApiKeyOwner>) {
  const header = request.headers['linked_account_id'];
  const accountId = typeof header === 'string' ? header : (request.query.get('linked_account_id') ?? '');
  return applications(backend, auth, accountId, params['slug']);
}

function listAccounts({ backend, auth, request }: RouteCall<ApiKeyOwner>) {
  const page = Math.max(1, Number(request.query.get('page') ?? 1) || 1);
  const limit = Math.max(1, Math.min(100, Number(request.query.get('limit') ?? 10) || 10));
  return backend.state.listAccounts(auth.environment, page, limit);
}

/**
 * docs/cobalt-contract.md#minting-a-session-token: the account must exist; the current token comes
 * back again unless `force_refresh=true`.
 */
async function mintSessionToken({ backend, auth: owner, request }: RouteCall<ApiKeyOwner>) {
  const id = parseJsonObject(request.body)['linked_account_id'];
  if (typeof id !== 'string' || id === '') throw new HttpProblem(400, 'linked_account_id is required');
  const { settings } = backend.state;
  if (backend.state.findAccount(owner.environment, id) === undefined) {
    const message = `No linked account found for account id : ${id} in environment ${owner.environment}`;
    if (settings.unknownAccountStyle === 'legacy-500') throw new HttpProblem(500, message);
    throw new HttpProblem(400, message, 'INVALID_LINKED_ACCOUNT_ID');
  }
  const now = backend.tokens.nowSeconds();
  const forceRefresh = request.query.get('force_refresh') === 'true';
  const issued = await backend.tokens.mint(owner, id, now, settings.tokenTtlSeconds, forceRefresh);
  if (settings.responseShape === 'legacy') return { token: issued.token };
  return {
    token: issued.token,
    refresh_token: `refresh.${randomBytes(16).toString('hex')}`,
    expires_in: issued.exp - now,
    refresh_expires_in: REFRESH_TTL_SECONDS - (now - issued.iat),
  };
}

/** POST creates, PUT upserts (docs/cobalt-contract.md#linked-accounts). */
function writeAccount({ backend, auth: owner, request }: RouteCall<ApiKeyOwner>, upsert: boolean) {
  const raw = parseJsonObject(request.body);
  // The fields may come flat or nested under `payload` (payload wins), `account_id` as an alias.
  const body =
    typeof raw['payload'] === 'object' && raw['payload'] !== null
      ? { ...raw, ...(raw['payload'] as Record<string, unknown>) }
      : raw;
  const id = body['linked_account_id'] ?? body['account_id'];
  if (typeof id !== 'string' || id === '')
    throw new HttpProblem(400, 'linked_account_id required', 'INVALID_LINKED_ACCOUNT_ID');
  const exists = backend.state.findAccount(owner.environment, id) !== undefined;
  if (exists && !upsert) {
    throw new HttpProblem(400, `Linked account with id ${id} already exists in the ${owner.environment} environment`);
  }
  const udf = typeof body['udf'] === 'object' && body['udf'] !== null ? (body['udf'] as Record<string, unknown>) : {};
  const name = typeof body['name'] === 'string' ? body['name'] : undefined;
  const account = backend.state.upsertAccount(owner, id, { name, udf });
  return upsert ? { ...account, new_account: !exists } : account;
}

/** GET or DELETE one account; an unknown id is a 404 whatever the method. */
function accountById({ backend, auth: owner, request, params }: RouteCall<ApiKeyOwner>) {
  const id = decodeURIComponent(params['id'] ?? '');
  const account = backend.state.findAccount(owner.environment, id) ?? notFound(id, owner.orgId, owner.environment);
  if (request.method === 'GET') return account;
  if (request.method === 'DELETE') {
    backend.state.deleteAccount(owner.environment, id);
    // Deleting an account invalidates the token issued to it.
    backend.tokens.revokeAccount(owner.environment, id);
    return { message: 'User deleted successfully' };
  }
  throw new HttpProblem(404, `Cannot ${request.method} ${request.path}`);
}

/**
 * The app catalogue as one linked account sees it, or one app of it by slug
 * (docs/cobalt-contract.md#applications-and-connect-urls).
 */
function applications(backend: CobaltBackend, owner: ApiKeyOwner, accountId: string, slug?: string) {
  if (backend.state.findAccount(owner.environment, accountId) === undefined) {
    notFound(accountId, owner.orgId, owner.environment);
  }
  const apps = applicationsFor(backend.state.connectedSlugs(owner.environment, accountId));
  if (slug === undefined) return apps;
  const app = apps.find((a) => a.slug === decodeURIComponent(slug));
  if (app === undefined) {
    throw new HttpProblem(
      404,
      `Application with app_type '${slug}' not found for org ${owner.orgId}`,
      'EXTERNAL_API_FAILURE',
    );
  }
  return app;
}

/**
 * Stands in for Cobalt's hosted Connect page, which is a web app, not part of the API: opening the
 * URL connects the app named by the `slug` the gateway stored with it, as if the user finished.
 */
async function completeConnect({ backend, params }: RouteCall<undefined>) {
  const token = params['token'] ?? '';
  const who = await backend.tokens.verify(token);
  const stored = backend.state.hostedProperties(token) as { slug?: unknown } | undefined;
  if (who === null || stored === undefined) throw new HttpProblem(401, 'Invalid token', 'INVALID_TOKEN');
  const slug = typeof stored.slug === 'string' ? stored.slug : undefined;
  if (slug === undefined || !APPLICATIONS.some((app) => app.slug === slug)) {
    throw new HttpProblem(400, 'No application chosen for this hosted session');
  }
  backend.state.connectApplication(who.environment, who.linkedAccountId, slug);
  return { connected: slug, message: 'Connected. You can close this window.' };
}
