import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../auth/context';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import type { Viewer } from '../auth/viewer';
import type { MintRateLimits } from '../rate-limits/rate-limits';
import { SessionTokenService } from '../session-tokens/session-token.service';
import { SessionToken } from './session-token.type';
import { toLinkedAccountProfile } from './viewer-profile';

@Resolver(() => SessionToken)
export class SessionTokenResolver {
  constructor(
    private readonly sessionTokens: SessionTokenService,
    private readonly limits: MintRateLimits,
  ) {}

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
    // Counted here, per mint, so aliases and batching cannot slip past an HTTP-level counter.
    await this.limits.check(viewer.linkedAccountId, context.clientIp);
    const cached = await this.sessionTokens.getToken(viewer.linkedAccountId, {
      forceRefresh,
      profile: toLinkedAccountProfile(viewer.profile),
    });
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
    return this.sessionTokens.revoke(viewer.linkedAccountId);
  }
}
