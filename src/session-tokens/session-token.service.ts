import type { CobaltDataSource } from '../cobalt/cobalt.data-source';
import type { CobaltSessionToken } from '../cobalt/session-token';

/**
 * Policy between the resolver and Cobalt: which account may get a token and how it is obtained.
 * Today every call mints through Cobalt; caching and coalescing belong here (issue 3), so the
 * resolver and the data source stay unaware of them.
 */
export class SessionTokenService {
  constructor(private readonly cobalt: Pick<CobaltDataSource, 'createSessionToken'>) {}

  async getToken(linkedAccountId: string): Promise<CobaltSessionToken> {
    return this.cobalt.createSessionToken(linkedAccountId);
  }
}
