import { connectUrlResponseSchema } from '../cobalt.wire';
import { readBody, type CobaltOperation } from './cobalt-operation';

/**
 * `POST /api/v2/public/connect-url`, authenticated by the user's session token, unlike Cobalt's
 * other routes (docs/cobalt-contract.md#applications-and-connect-urls). Cobalt stores `body`
 * verbatim for the hosted page. The answer embeds the session token: it is a secret, never logged.
 */
export function createConnectUrl(
  sessionToken: string,
  body: Readonly<Record<string, unknown>>,
  configId: string | undefined,
): CobaltOperation<string> {
  return {
    name: 'createConnectUrl',
    request: {
      method: 'POST',
      path: '/api/v2/public/connect-url',
      auth: { bearer: sessionToken },
      body,
      ...(configId !== undefined && { params: { config_id: configId } }),
    },
    read: (response) => readBody(response, connectUrlResponseSchema, 'unexpected connect-url answer').hosted_url,
  };
}
