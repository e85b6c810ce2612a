import { CobaltFailureError } from '../cobalt-failure';
import { linkedAccountSchema } from '../cobalt.wire';
import { toLinkedAccount, type CobaltLinkedAccount, type LinkedAccountProfile } from '../linked-account';
import { readBody, type CobaltOperation } from './cobalt-operation';

/**
 * `PUT /api/v2/public/linked-account`: creates the account or updates its name and merges its
 * user-defined fields (docs/cobalt-contract.md#linked-accounts). Idempotent, so retrying it is safe.
 */
export function upsertLinkedAccount(
  linkedAccountId: string,
  profile: LinkedAccountProfile,
): CobaltOperation<CobaltLinkedAccount> {
  return {
    name: 'upsertLinkedAccount',
    request: {
      method: 'PUT',
      path: '/api/v2/public/linked-account',
      auth: 'api-key',
      body: {
        linked_account_id: linkedAccountId,
        ...(profile.name !== undefined && { name: profile.name }),
        ...(profile.udf !== undefined && { udf: profile.udf }),
      },
    },
    read(response) {
      const account = readBody(response, linkedAccountSchema, 'unexpected linked-account answer');
      if (account.account_id !== linkedAccountId) {
        throw new CobaltFailureError({ kind: 'invalid-response', reason: 'upsert answered for another account' });
      }
      return toLinkedAccount(account);
    },
  };
}
