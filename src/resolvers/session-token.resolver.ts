import { Mutation, Resolver } from 'type-graphql';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import type { Viewer } from '../auth/viewer';
import { SessionTokenService } from '../session-tokens/session-token.service';
import { SessionToken } from './session-token.type';

@Resolver(() => SessionToken)
export class SessionTokenResolver {
  constructor(private readonly sessionTokens: SessionTokenService) {}

  @Mutation(() => SessionToken, {
    description:
      'Mints a Cobalt session token for the signed-in user. The linked account comes from the bearer token, never from an argument.',
  })
  async createSessionToken(@CurrentViewer() viewer: Viewer): Promise<SessionToken> {
    return this.sessionTokens.getToken(viewer.linkedAccountId);
  }
}
