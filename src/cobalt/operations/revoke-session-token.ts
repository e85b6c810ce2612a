import { revokeResponseSchema } from '../cobalt.wire';
import { readBody, type CobaltOperation } from './cobalt-operation';

/**
 * `POST /api/v2/public/session-token/revoke`, authenticated by the token itself
 * (docs/cobalt-contract.md#revoking-a-token). True when Cobalt revoked it; false when Cobalt already
 * considers it invalid (401).
 */
export function revokeSessionToken(token: string): CobaltOperation<boolean> {
  return {
    name: 'revokeSessionToken',
    request: { method: 'POST', path: '/api/v2/public/session-token/revoke', auth: { bearer: token } },
    read(response) {
      if (response.status === 401) return false;
      return readBody(response, revokeResponseSchema, 'unexpected revoke answer').revoked_count > 0;
    },
  };
}
