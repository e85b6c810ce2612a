import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../auth/context';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import type { Viewer } from '../auth/viewer';
import type { ViewerSessionTokens } from '../session-tokens/viewer-session-tokens';
import { SessionToken } from './session-token.type';

@Resolver(() => SessionToken)
export class SessionTokenResolver {
  constructor(private readonly sessionTokens: Pick<ViewerSessionTokens, 'mint' | 'revoke'>) {}

  @Mutation(() => SessionToken, {
    description:
      'Returns a Cobalt session token for the signed-in user, from the cache while it is fresh. The linked account comes from the bearer token, never from an argument.',
  })
  async createSessionToken(
    @CurrentViewer() viewer: Viewer,
    @Arg('forceRefresh', () => Boolean, {
      defaultValue: false,
      description:
        'Skip the cache and make Cobalt rotate the token, e.g. after Cobalt refused a token that looked valid. Limited per account: too frequent use answers RATE_LIMITED.',
    })
    forceRefresh: boolean,
    @Ctx() context: GatewayContext,
  ): Promise<SessionToken> {
    const cached = await this.sessionTokens.mint(viewer, context.clientIp, { forceRefresh });
    return Object.assign(new SessionToken(), {
      token: cached.token,
      expiresAt: new Date(cached.expiresAt),
      linkedAccountId: cached.linkedAccountId,
    });
  }

  @Mutation(() => Boolean, {
    description:
      "Logout: revokes the signed-in user's current session token at Cobalt and drops it from the cache. False when the gateway held no token for the user.",
  })
  async revokeSessionToken(@CurrentViewer() viewer: Viewer): Promise<boolean> {
    return this.sessionTokens.revoke(viewer);
  }
}
