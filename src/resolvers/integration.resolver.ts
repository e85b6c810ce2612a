import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../auth/context';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import type { Viewer } from '../auth/viewer';
import type { CobaltApplication } from '../cobalt/application';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import { isValidSlug } from '../integrations/integration-slug';
import { IntegrationsService } from '../integrations/integrations.service';
import type { MintRateLimits } from '../rate-limits/rate-limits';
import { ConnectUrlInput, IntegrationFilter } from './integration.input';
import { ConnectedAccount, ConnectionStatus, ConnectUrl, Integration, IntegrationAuthType } from './integration.type';
import { toLinkedAccountProfile } from './viewer-profile';

const MAX_FILTER_SLUGS = 50;
const MAX_NAME_FILTER = 100;
const MAX_REDIRECT_URL = 2048;
const AUTH_TYPES = {
  oauth2: IntegrationAuthType.OAUTH2,
  keybased: IntegrationAuthType.KEY_BASED,
  other: IntegrationAuthType.OTHER,
};
const STATUSES = { active: ConnectionStatus.ACTIVE, expired: ConnectionStatus.EXPIRED, other: ConnectionStatus.OTHER };

function badInput(): GatewayError {
  return new GatewayError(ErrorCode.BAD_USER_INPUT);
}

function checkSlug(slug: string): void {
  if (!isValidSlug(slug)) throw badInput();
}

function toIntegration(app: CobaltApplication): Integration {
  return Object.assign(new Integration(), {
    slug: app.slug,
    name: app.name,
    icon: app.icon,
    description: app.description,
    authType: AUTH_TYPES[app.authType],
    connected: app.connected,
    reauthRequired: app.reauthRequired,
    connectedAccounts: app.connectedAccounts.map((c) =>
      Object.assign(new ConnectedAccount(), {
        identifier: c.identifier,
        status: STATUSES[c.status],
        connectedAt: c.connectedAt,
      }),
    ),
  });
}

function matches(filter: IntegrationFilter | null | undefined): (app: Integration) => boolean {
  if (filter === null || filter === undefined) return () => true;
  const { connected, slugs, nameContains, authType } = filter;
  if (slugs !== null && slugs !== undefined && (slugs.length > MAX_FILTER_SLUGS || !slugs.every(isValidSlug))) {
    throw badInput();
  }
  if (nameContains !== null && nameContains !== undefined && nameContains.length > MAX_NAME_FILTER) throw badInput();
  const needle = nameContains?.toLowerCase();
  return (app) =>
    (connected === null || connected === undefined || app.connected === connected) &&
    (slugs === null || slugs === undefined || slugs.includes(app.slug)) &&
    (needle === undefined || app.name.toLowerCase().includes(needle)) &&
    (authType === null || authType === undefined || app.authType === authType);
}

function checkRedirectUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput();
  }
  if (value.length > MAX_REDIRECT_URL || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw badInput();
}

@Resolver(() => Integration)
export class IntegrationResolver {
  constructor(
    private readonly service: IntegrationsService,
    private readonly limits: MintRateLimits,
  ) {}

  @Query(() => [Integration], {
    description:
      "The applications the signed-in user can connect through Cobalt, with each one's connection state. Cached for a short time (INTEGRATIONS_CACHE_TTL_S); the mutations here clear it.",
  })
  async integrations(
    @CurrentViewer() viewer: Viewer,
    @Ctx() context: GatewayContext,
    @Arg('filter', () => IntegrationFilter, { nullable: true, description: 'Narrow the list.' })
    filter?: IntegrationFilter | null,
  ): Promise<Integration[]> {
    const keep = matches(filter);
    const apps = await this.service.loadersFor(context).list.load(viewer.linkedAccountId);
    return apps.map(toIntegration).filter(keep);
  }

  @Query(() => Integration, {
    nullable: true,
    description:
      'One application by slug, for the signed-in user. Unknown slugs answer INTEGRATION_NOT_FOUND. Served from the same list as `integrations` in one request.',
  })
  async integration(
    @CurrentViewer() viewer: Viewer,
    @Ctx() context: GatewayContext,
    @Arg('slug', () => String, { description: 'Application slug, e.g. `slack`.' }) slug: string,
  ): Promise<Integration> {
    checkSlug(slug);
    const app = await this.service.loadersFor(context).bySlug.load({ linkedAccountId: viewer.linkedAccountId, slug });
    return toIntegration(app);
  }

  @Mutation(() => ConnectUrl, {
    description:
      "A link to Cobalt's hosted Connect page for one application, for the signed-in user. The link embeds the user's Cobalt session token: open it, never log or share it.",
  })
  async createConnectUrl(
    @CurrentViewer() viewer: Viewer,
    @Ctx() context: GatewayContext,
    @Arg('slug', () => String, { description: 'Application slug, e.g. `slack`.' }) slug: string,
    @Arg('input', () => ConnectUrlInput, { nullable: true, description: 'Options of the hosted page.' })
    input?: ConnectUrlInput | null,
  ): Promise<ConnectUrl> {
    checkSlug(slug);
    const redirectUrl = input?.redirectUrl ?? undefined;
    const configId = input?.configId ?? undefined;
    if (redirectUrl !== undefined) checkRedirectUrl(redirectUrl);
    if (configId !== undefined && !isValidSlug(configId)) throw badInput();
    // Every call is a Cobalt call drawing on the org's budget: one user must not be able to spend it.
    await this.limits.check(viewer.linkedAccountId, context.clientIp);
    const result = await this.service.createConnectUrl(
      this.service.loadersFor(context),
      viewer.linkedAccountId,
      toLinkedAccountProfile(viewer.profile),
      slug,
      { ...(redirectUrl !== undefined && { redirectUrl }), ...(configId !== undefined && { configId }) },
    );
    return Object.assign(new ConnectUrl(), result);
  }
}
