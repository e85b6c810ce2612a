import DataLoader from 'dataloader';
import type { CobaltDataSource } from '../cobalt/cobalt.data-source';
import type { LinkedAccountProfile } from '../cobalt/linked-account';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import type { Viewer } from '../auth/viewer';
import type { MintRateLimits } from '../rate-limits/rate-limits';
import { provisioningProfile } from '../session-tokens/provisioning-profile';
import type { SessionTokenService } from '../session-tokens/session-token.service';
import {
  checkConnectRequest,
  checkSlug,
  matcherFor,
  type ConnectRequest,
  type IntegrationQuery,
} from './integration-request';
import { isValidSlug } from './integration-slug';
import type { IntegrationsCache } from './integrations-cache';
import { toUserIntegration, type UserIntegration } from './user-integration';

export interface IntegrationsServiceDeps {
  readonly cobalt: Pick<CobaltDataSource, 'listApplications' | 'getApplication' | 'createConnectUrl'>;
  readonly sessionTokens: Pick<SessionTokenService, 'getToken'>;
  /** Where lists are kept between requests (memory, or Redis shared by the instances). */
  readonly cache: IntegrationsCache;
  /** How long a list is reused; 0 turns the cache off (per-request de-duplication stays). */
  readonly cacheTtlMs: number;
  /**
   * Checked before each Cobalt call a request causes (a list the cache does not hold, a lookup by
   * slug): these draw on the org's Cobalt budget like mints do, so they count like mints.
   */
  readonly limits?: MintRateLimits;
}

/** What one GraphQL request may ask about integrations; built lazily, once per request. */
export interface IntegrationLoaders {
  readonly list: DataLoader<string, readonly UserIntegration[]>;
  readonly bySlug: DataLoader<{ linkedAccountId: string; slug: string }, UserIntegration, string>;
}

export interface ConnectUrlOptions {
  readonly redirectUrl?: string;
  readonly configId?: string;
}

/** The request a GraphQL operation runs in: loaders live as long as it does. */
export interface RequestScope {
  readonly clientIp: string;
}

// Applications missing from the list are looked up one by one; an operation may ask for a few
// (aliases), not for hundreds of Cobalt calls.
const MAX_SLUG_LOOKUPS_PER_REQUEST = 5;

/**
 * The user's integrations (Cobalt applications with their connection state) and the hosted-connect
 * URL. Lists are cached per linked account for a short time and loaded once however many
 * concurrent requests ask; within one request every field sees the same list (DataLoader).
 */
export class IntegrationsService {
  readonly #loading = new Map<string, Promise<readonly UserIntegration[]>>();
  readonly #perRequest = new WeakMap<object, IntegrationLoaders>();

  constructor(private readonly deps: IntegrationsServiceDeps) {}

  /** The viewer's integrations that match `query` (checked before anything is loaded). */
  async listFor(viewer: Viewer, request: RequestScope, query?: IntegrationQuery | null): Promise<UserIntegration[]> {
    const keep = matcherFor(query);
    const apps = await this.loadersFor(request).list.load(viewer.linkedAccountId);
    return apps.filter(keep);
  }

  /** One of the viewer's integrations by slug; INTEGRATION_NOT_FOUND when Cobalt knows no such app. */
  async findFor(viewer: Viewer, request: RequestScope, slug: string): Promise<UserIntegration> {
    checkSlug(slug);
    return this.loadersFor(request).bySlug.load({ linkedAccountId: viewer.linkedAccountId, slug });
  }

  /** A hosted Connect URL for the viewer; see `createConnectUrl`. */
  async connectFor(
    viewer: Viewer,
    request: RequestScope,
    slug: string,
    connect?: ConnectRequest | null,
  ): Promise<{ url: string; expiresAt: Date }> {
    checkSlug(slug);
    const options = checkConnectRequest(connect);
    // Every call is a Cobalt call drawing on the org's budget: one user must not be able to spend it.
    await this.deps.limits?.check(viewer.linkedAccountId, request.clientIp);
    const profile = provisioningProfile(viewer.profile);
    return this.createConnectUrl(this.loadersFor(request), viewer.linkedAccountId, profile, slug, options);
  }

  /** The loaders of one request, keyed by its context object (created on first use, dropped with it). */
  loadersFor(request: RequestScope): IntegrationLoaders {
    let loaders = this.#perRequest.get(request);
    if (loaders === undefined) {
      loaders = this.#createLoaders(request.clientIp);
      this.#perRequest.set(request, loaders);
    }
    return loaders;
  }

  /** The account's applications, from the cache while it is fresh. */
  async list(linkedAccountId: string, clientIp?: string): Promise<readonly UserIntegration[]> {
    const caching = this.deps.cacheTtlMs > 0;
    const cached = caching ? await this.deps.cache.get(linkedAccountId) : undefined;
    if (cached !== undefined) return cached;
    const inFlight = this.#loading.get(linkedAccountId);
    if (inFlight !== undefined) return inFlight;
    // Registered before any further await, so concurrent askers in this process share the load.
    const loading = this.#load(linkedAccountId, caching, clientIp).finally(() => {
      if (this.#loading.get(linkedAccountId) === loading) this.#loading.delete(linkedAccountId);
    });
    this.#loading.set(linkedAccountId, loading);
    return loading;
  }

  /** Forgets the account's list, after something that changes it (profile upsert, connect). */
  async invalidate(linkedAccountId: string): Promise<void> {
    this.#loading.delete(linkedAccountId);
    await this.deps.cache.invalidate(linkedAccountId);
  }

  async #load(linkedAccountId: string, caching: boolean, clientIp?: string): Promise<readonly UserIntegration[]> {
    if (clientIp !== undefined) await this.deps.limits?.check(linkedAccountId, clientIp);
    // Read first: a list loaded across an invalidation (here or on another instance) is not stored.
    const generation = caching ? await this.deps.cache.generation(linkedAccountId) : '';
    const apps = (await this.deps.cobalt.listApplications(linkedAccountId)).map(toUserIntegration);
    if (caching) await this.deps.cache.set(linkedAccountId, apps, this.deps.cacheTtlMs, generation);
    return apps;
  }

  /**
   * A hosted Connect URL for one application (docs/cobalt-contract.md#applications-and-connect-urls). The slug is checked against the
   * user's integrations first, so an unknown one answers INTEGRATION_NOT_FOUND instead of a portal
   * link that leads nowhere. The URL embeds the user's session token: callers must treat it as one.
   */
  async createConnectUrl(
    loaders: IntegrationLoaders,
    linkedAccountId: string,
    profile: LinkedAccountProfile,
    slug: string,
    options: ConnectUrlOptions,
  ): Promise<{ url: string; expiresAt: Date }> {
    await loaders.bySlug.load({ linkedAccountId, slug });
    const body = {
      // Cobalt keeps the body verbatim for its hosted page; `slug` tells it which app to open.
      slug,
      ...(options.redirectUrl !== undefined && { redirect_url: options.redirectUrl }),
    };
    const token = await this.deps.sessionTokens.getToken(linkedAccountId, { profile });
    let url: string;
    try {
      url = await this.deps.cobalt.createConnectUrl(token.token, body, options.configId);
    } catch (error) {
      // Refused although our cache thought it valid (revoked elsewhere, Cobalt restarted…): one
      // rotation, then one more try. A refusal after that is reported as it is.
      if (!(error instanceof GatewayError) || error.code !== ErrorCode.COBALT_AUTH_FAILED) throw error;
      const rotated = await this.deps.sessionTokens.getToken(linkedAccountId, { profile, forceRefresh: true });
      url = await this.deps.cobalt.createConnectUrl(rotated.token, body, options.configId);
      await this.invalidate(linkedAccountId);
      return { url, expiresAt: new Date(rotated.expiresAt) };
    }
    // The user is about to connect: the next list must come from Cobalt.
    await this.invalidate(linkedAccountId);
    return { url, expiresAt: new Date(token.expiresAt) };
  }

  #createLoaders(clientIp: string): IntegrationLoaders {
    const list = new DataLoader<string, readonly UserIntegration[]>((accounts) =>
      Promise.all(accounts.map((account) => this.list(account, clientIp).catch((error: unknown) => asError(error)))),
    );
    let lookups = 0;
    const bySlug = new DataLoader<{ linkedAccountId: string; slug: string }, UserIntegration, string>(
      (keys) =>
        Promise.all(
          keys.map(async ({ linkedAccountId, slug }) => {
            try {
              if (!isValidSlug(slug)) return new GatewayError(ErrorCode.BAD_USER_INPUT);
              const found = (await list.load(linkedAccountId)).find((app) => app.slug === slug);
              if (found !== undefined) return found;
              // Not in the list (Cobalt leaves the org's own custom app out of it): ask for it
              // by slug, and let Cobalt's 404 say INTEGRATION_NOT_FOUND.
              lookups += 1;
              if (lookups > MAX_SLUG_LOOKUPS_PER_REQUEST) return new GatewayError(ErrorCode.BAD_USER_INPUT);
              await this.deps.limits?.check(linkedAccountId, clientIp);
              return toUserIntegration(await this.deps.cobalt.getApplication(linkedAccountId, slug));
            } catch (error) {
              return asError(error);
            }
          }),
        ),
      { cacheKeyFn: ({ linkedAccountId, slug }) => `${linkedAccountId}\n${slug}` },
    );
    return { list, bySlug };
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
