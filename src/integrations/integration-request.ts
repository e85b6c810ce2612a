import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import { isValidSlug } from './integration-slug';
import type { AuthType, UserIntegration } from './user-integration';

/** What a user may narrow `integrations` by. Every field set must match. */
export interface IntegrationQuery {
  readonly connected?: boolean | null;
  readonly slugs?: readonly string[] | null;
  readonly nameContains?: string | null;
  readonly authType?: AuthType | null;
}

export interface ConnectRequest {
  readonly redirectUrl?: string | null;
  readonly configId?: string | null;
}

// Bounds on what a client may send, so a filter cannot cost more than the list it filters.
const MAX_FILTER_SLUGS = 50;
const MAX_NAME_FILTER = 100;
const MAX_REDIRECT_URL = 2048;

/** BAD_USER_INPUT, naming nothing of the input: it is echoed to the client and into logs. */
export function badInput(): GatewayError {
  return new GatewayError(ErrorCode.BAD_USER_INPUT);
}

export function checkSlug(slug: string): void {
  if (!isValidSlug(slug)) throw badInput();
}

/** A predicate for the query; throws BAD_USER_INPUT before anything is loaded when it is out of bounds. */
export function matcherFor(query: IntegrationQuery | null | undefined): (app: UserIntegration) => boolean {
  if (query === null || query === undefined) return () => true;
  const { connected, slugs, nameContains, authType } = query;
  if (slugs !== null && slugs !== undefined && (slugs.length > MAX_FILTER_SLUGS || !slugs.every(isValidSlug))) {
    throw badInput();
  }
  if (nameContains !== null && nameContains !== undefined && nameContains.length > MAX_NAME_FILTER) throw badInput();
  const needle = nameContains?.toLowerCase();
  return (app) =>
    (connected === null || connected === undefined || app.connected === connected) &&
    (slugs === null || slugs === undefined || slugs.includes(app.slug)) &&
    (needle === undefined || app.name.toLowerCase().includes(needle)) &&
    (authType === null || authType === undefined || app.authType === authType);
}

/** The connect options, checked: an absolute http(s) redirect URL and a slug-shaped config id. */
export function checkConnectRequest(request: ConnectRequest | null | undefined): {
  redirectUrl?: string;
  configId?: string;
} {
  const redirectUrl = request?.redirectUrl ?? undefined;
  const configId = request?.configId ?? undefined;
  if (redirectUrl !== undefined) checkRedirectUrl(redirectUrl);
  if (configId !== undefined && !isValidSlug(configId)) throw badInput();
  return { ...(redirectUrl !== undefined && { redirectUrl }), ...(configId !== undefined && { configId }) };
}

function checkRedirectUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput();
  }
  if (value.length > MAX_REDIRECT_URL || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw badInput();
}
