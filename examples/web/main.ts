/// <reference lib="dom" />
// The frontend side of the Cobalt flow, as a product would write it: get a session token from the
// gateway through the generated typed document, hand it to Cobalt's own frontend SDK, list the
// integrations. When Cobalt refuses the token (expired or revoked), mint a fresh one and retry once.
import { Cobalt } from '@cobaltio/cobalt-js';
import { print } from 'graphql';
import { toGatewayFailure } from '../../client/gateway-errors';
import { CreateSessionTokenDocument, type CreateSessionTokenMutation } from '../../client/generated/graphql';

interface PageConfig {
  readonly cobaltBaseUrl: string;
  readonly bearerToken: string;
}

const config = JSON.parse(document.getElementById('config')?.textContent ?? '{}') as PageConfig;
const statusEl = document.getElementById('status') as HTMLElement;
const listEl = document.getElementById('integrations') as HTMLElement;

function setStatus(text: string, state: string): void {
  statusEl.textContent = text;
  statusEl.dataset['state'] = state;
}

async function mintSessionToken(forceRefresh: boolean): Promise<string> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${config.bearerToken}` },
    body: JSON.stringify({ query: print(CreateSessionTokenDocument), variables: { forceRefresh } }),
  });
  const body = (await response.json()) as {
    data?: CreateSessionTokenMutation | null;
    errors?: { message?: string; extensions?: Record<string, unknown> }[];
  };
  const firstError = body.errors?.[0];
  if (firstError !== undefined) {
    const failure = toGatewayFailure(firstError);
    throw new Error(failure.kind === 'gateway' ? `${failure.code}: ${failure.message}` : failure.message);
  }
  if (!body.data) throw new Error('No session token in the answer');
  return body.data.createSessionToken.token;
}

interface Application {
  readonly name: string;
  readonly slug: string;
  readonly connected?: boolean;
}

function render(apps: readonly Application[]): void {
  listEl.replaceChildren(
    ...apps.map((app) => {
      const item = document.createElement('li');
      item.dataset['slug'] = app.slug;
      item.textContent = `${app.name} ${app.connected === true ? '(connected)' : '(not connected)'}`;
      return item;
    }),
  );
}

// The SDK instance, with the token, lives as long as the page: the token is used until Cobalt
// refuses it (expired or revoked), then replaced.
let sdk: Cobalt | undefined;

async function loadIntegrations(): Promise<void> {
  setStatus('Getting a session token…', 'loading');
  sdk ??= new Cobalt({ token: await mintSessionToken(false), baseUrl: config.cobaltBaseUrl });
  const cobalt = sdk;
  let apps: Application[];
  let reminted = false;
  // cobalt-js 8.0.0 types getApp() as one application; without a slug the route returns the list.
  const listApps = async () => (await cobalt.getApp()) as unknown as Application[];
  try {
    apps = await listApps();
  } catch (error) {
    // cobalt-js 8.0.0 surfaces only the HTTP reason phrase.
    if (!(error instanceof Error) || error.message !== 'Unauthorized') throw error;
    setStatus('Cobalt refused the session token; getting a fresh one…', 'reminting');
    cobalt.token = await mintSessionToken(true);
    apps = await listApps();
    reminted = true;
  }
  render(apps);
  setStatus(
    reminted ? `Re-minted the session token; ${apps.length} integrations` : `${apps.length} integrations`,
    reminted ? 'reminted' : 'ready',
  );
}

document.getElementById('reload')?.addEventListener('click', () => {
  loadIntegrations().catch((error: unknown) => setStatus(String(error), 'error'));
});
loadIntegrations().catch((error: unknown) => setStatus(String(error), 'error'));
