import type { Viewer } from '../auth/viewer';
import type { MintRateLimits } from '../rate-limits/rate-limits';
import { provisioningProfile } from './provisioning-profile';
import type { SessionTokenService } from './session-token.service';
import type { CachedToken } from './token-store';

/**
 * What a signed-in user may do with their own session token: the use cases behind the GraphQL
 * mutations. The account is always the viewer's, taken from their verified bearer token.
 */
export class ViewerSessionTokens {
  constructor(
    private readonly tokens: Pick<SessionTokenService, 'cachedInProcess' | 'getToken' | 'revoke'>,
    private readonly limits: MintRateLimits,
  ) {}

  /** The viewer's token; counted per call, so aliases and batching cannot slip past a per-request counter. */
  async mint(viewer: Viewer, clientIp: string, options: { readonly forceRefresh: boolean }): Promise<CachedToken> {
    if (!options.forceRefresh) {
      // Served from process memory: it costs Cobalt and Redis nothing, so it is counted by this
      // instance's own counters, and the cached mint makes no network round trip at all.
      const held = this.tokens.cachedInProcess(viewer.linkedAccountId);
      if (held !== undefined) {
        await this.limits.checkInProcess(viewer.linkedAccountId, clientIp);
        return held;
      }
    }
    await this.limits.check(viewer.linkedAccountId, clientIp);
    return this.tokens.getToken(viewer.linkedAccountId, {
      forceRefresh: options.forceRefresh,
      profile: provisioningProfile(viewer.profile),
    });
  }

  /** Logout: false when the gateway held no token for the viewer. */
  revoke(viewer: Viewer): Promise<boolean> {
    return this.tokens.revoke(viewer.linkedAccountId);
  }
}
