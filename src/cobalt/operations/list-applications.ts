import { toApplication, type CobaltApplication } from '../application';
import { applicationListSchema } from '../cobalt.wire';
import { accountScope } from './account-scope';
import { readBody, type CobaltOperation } from './cobalt-operation';

/**
 * `GET /api/v2/public/application`: every application with this account's connection state
 * (docs/cobalt-contract.md#applications-and-connect-urls).
 */
export function listApplications(linkedAccountId: string): CobaltOperation<CobaltApplication[]> {
  return {
    name: 'listApplications',
    request: { method: 'GET', path: '/api/v2/public/application', auth: 'api-key', ...accountScope(linkedAccountId) },
    read: (response) => readBody(response, applicationListSchema, 'unexpected application list').map(toApplication),
  };
}
