import { toApplication, type CobaltApplication } from '../application';
import { CobaltFailureError } from '../cobalt-failure';
import { applicationSchema } from '../cobalt.wire';
import { accountScope } from './account-scope';
import { expectOk, readBody, type CobaltOperation } from './cobalt-operation';

/**
 * `GET /api/v2/public/application/{slug}` (docs/cobalt-contract.md#applications-and-connect-urls).
 * A 404 that is not about the account means the slug is unknown. The caller validates the slug; it
 * is encoded here regardless.
 */
export function getApplication(linkedAccountId: string, slug: string): CobaltOperation<CobaltApplication> {
  return {
    name: 'getApplication',
    request: {
      method: 'GET',
      path: `/api/v2/public/application/${encodeURIComponent(slug)}`,
      route: '/api/v2/public/application/{slug}',
      auth: 'api-key',
      ...accountScope(linkedAccountId),
    },
    read(response) {
      expectOk(response, 'application');
      const app = readBody(response, applicationSchema, 'unexpected application');
      if (app.slug !== slug) throw new CobaltFailureError({ kind: 'invalid-response', reason: 'another application' });
      return toApplication(app);
    },
  };
}
