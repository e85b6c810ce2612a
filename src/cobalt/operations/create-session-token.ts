import { CobaltFailureError } from '../cobalt-failure';
import { sessionTokenResponseSchema } from '../cobalt.wire';
import { readSessionToken, type CobaltSessionToken } from '../session-token';
import { readBody, type CobaltOperation } from './cobalt-operation';

/**
 * `POST /api/v2/public/session-token` for one linked account; `forceRefresh` asks Cobalt to rotate
 * instead of handing back its current token (docs/cobalt-contract.md#token-reuse-and-force-refresh).
 */
export function createSessionToken(
  linkedAccountId: string,
  forceRefresh: boolean,
): CobaltOperation<CobaltSessionToken> {
  return {
    name: 'createSessionToken',
    request: {
      method: 'POST',
      path: '/api/v2/public/session-token',
      auth: 'api-key',
      body: { linked_account_id: linkedAccountId },
      ...(forceRefresh && { params: { force_refresh: 'true' } }),
    },
    read(response) {
      const wire = readBody(response, sessionTokenResponseSchema, 'no usable token field');
      const token = readSessionToken(wire, linkedAccountId, response.receivedAt);
      if (typeof token === 'string') throw new CobaltFailureError({ kind: 'invalid-response', reason: token });
      return token;
    },
  };
}
