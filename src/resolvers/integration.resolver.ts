import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../auth/context';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import type { Viewer } from '../auth/viewer';
import type { IntegrationsService } from '../integrations/integrations.service';
import type { AuthType, UserIntegration } from '../integrations/user-integration';
import { ConnectUrlInput, IntegrationFilter } from './integration.input';
import { ConnectedAccount, ConnectionStatus, ConnectUrl, Integration, IntegrationAuthType } from './integration.type';

const AUTH_TYPES = {
  oauth2: IntegrationAuthType.OAUTH2,
  keybased: IntegrationAuthType.KEY_BASED,
  other: IntegrationAuthType.OTHER,
};
const AUTH_TYPES_IN: { readonly [T in IntegrationAuthType]: AuthType } = {
  [IntegrationAuthType.OAUTH2]: 'oauth2',
  [IntegrationAuthType.KEY_BASED]: 'keybased',
  [IntegrationAuthType.OTHER]: 'other',
};
const STATUSES = { active: ConnectionStatus.ACTIVE, expired: ConnectionStatus.EXPIRED, other: ConnectionStatus.OTHER };

function toIntegration(app: UserIntegration): Integration {
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

@Resolver(() => Integration)
export class IntegrationResolver {
  constructor(private readonly service: Pick<IntegrationsService, 'listFor' | 'findFor' | 'connectFor'>) {}

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
    const query = filter && {
      connected: filter.connected,
      slugs: filter.slugs,
      nameContains: filter.nameContains,
      authType:
        filter.authType === null || filter.authType === undefined ? filter.authType : AUTH_TYPES_IN[filter.authType],
    };
    return (await this.service.listFor(viewer, context, query)).map(toIntegration);
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
    return toIntegration(await this.service.findFor(viewer, context, slug));
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
    return Object.assign(new ConnectUrl(), await this.service.connectFor(viewer, context, slug, input));
  }
}
