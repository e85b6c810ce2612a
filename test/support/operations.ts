/**
 * Cobalt's routes as the emulator records them (`emulator.received(path)`), so a test counts the
 * calls the gateway made. Spelled out here rather than imported from src/: a test that reused the
 * gateway's own constant would pass even if the gateway called the wrong route.
 */
export const SESSION_TOKEN_PATH = '/api/v2/public/session-token';
export const REVOKE_PATH = '/api/v2/public/session-token/revoke';
export const LINKED_ACCOUNT_PATH = '/api/v2/public/linked-account';
/** The integrations list; `${APPLICATIONS_PATH}/<slug>` is one application. */
export const APPLICATIONS_PATH = '/api/v2/public/application';
export const CONNECT_URL_PATH = '/api/v2/public/connect-url';
/** The frontend SDK's integrations list, called with a session token. */
export const SDK_APPLICATIONS_PATH = '/api/v2/f-sdk/application';

/** The smallest mint, for tests that send a hand-written body instead of a generated document. */
export const MINT_QUERY = 'mutation { createSessionToken { token } }';
