import type { Secret } from '../config/secret';
import type { CobaltApplication } from './application';
import { CallPolicy, type CallPolicyOptions } from './call-policy';
import { CobaltTransport } from './cobalt-transport';
import type { CobaltLinkedAccount, LinkedAccountProfile } from './linked-account';
import type { CobaltOperation } from './operations/cobalt-operation';
import { createConnectUrl } from './operations/create-connect-url';
import { createSessionToken } from './operations/create-session-token';
import { getApplication } from './operations/get-application';
import { listApplications } from './operations/list-applications';
import { revokeSessionToken } from './operations/revoke-session-token';
import { upsertLinkedAccount } from './operations/upsert-linked-account';
import type { CobaltSessionToken } from './session-token';

/** The call policy's options (without its random source), and where Cobalt is. */
export interface CobaltDataSourceOptions extends Omit<CallPolicyOptions, 'random'> {
  readonly baseUrl: string;
  readonly apiKey: Secret;
}

export interface CreateSessionTokenOptions {
  /** Ask Cobalt to rotate instead of handing back its current token (`force_refresh=true`). */
  readonly forceRefresh?: boolean;
}

/**
 * The Cobalt client the rest of the gateway uses: one method per Cobalt route, each answering a
 * domain value or throwing a `GatewayError`. Sending is the transport's, the deadline, retries,
 * budget and breaker are the call policy's, and each route's request and reading live in
 * `operations/`.
 */
export class CobaltDataSource {
  readonly #transport: CobaltTransport;
  readonly #policy: CallPolicy;

  constructor(options: CobaltDataSourceOptions) {
    this.#transport = new CobaltTransport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      idleTimeoutMs: options.timeoutMs,
      ...(options.clock !== undefined && { clock: options.clock }),
    });
    this.#policy = new CallPolicy(options);
  }

  async createSessionToken(
    linkedAccountId: string,
    options: CreateSessionTokenOptions = {},
  ): Promise<CobaltSessionToken> {
    return this.#run(createSessionToken(linkedAccountId, options.forceRefresh === true));
  }

  /** True when Cobalt revoked the token; false when Cobalt already considers it invalid. */
  async revokeSessionToken(token: string): Promise<boolean> {
    return this.#run(revokeSessionToken(token));
  }

  /** Creates the account or updates its name and merges its user-defined fields. */
  async upsertLinkedAccount(linkedAccountId: string, profile: LinkedAccountProfile): Promise<CobaltLinkedAccount> {
    return this.#run(upsertLinkedAccount(linkedAccountId, profile));
  }

  /** Every application with this account's connection state. */
  async listApplications(linkedAccountId: string): Promise<CobaltApplication[]> {
    return this.#run(listApplications(linkedAccountId));
  }

  /** INTEGRATION_NOT_FOUND for a slug the org does not have. */
  async getApplication(linkedAccountId: string, slug: string): Promise<CobaltApplication> {
    return this.#run(getApplication(linkedAccountId, slug));
  }

  /**
   * The hosted connect page's URL, authenticated by the user's session token. Cobalt stores `body`
   * verbatim for the page. The URL embeds the session token: it is a secret and is never logged.
   */
  async createConnectUrl(
    sessionToken: string,
    body: Readonly<Record<string, unknown>>,
    configId?: string,
  ): Promise<string> {
    return this.#run(createConnectUrl(sessionToken, body, configId));
  }

  async #run<T>(operation: CobaltOperation<T>): Promise<T> {
    return this.#policy.run(operation.name, async (timeoutMs, attempt) => {
      const response = await this.#transport.send(operation.request, timeoutMs, attempt);
      return { status: response.status, value: operation.read(response) };
    });
  }
}
