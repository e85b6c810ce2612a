import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../infra/clock';
import { ADMIN_PREFIX, answerAdmin, applyFault, type AdminTarget } from './emulator-admin';
import { dispatch, type CobaltBackend } from './emulator-router';
import { COBALT_ROUTES } from './emulator-routes';
import { answerCors, EmulatorServer, HttpProblem, readBody, sendError, sendJson } from './emulator-server';
import {
  EmulatorState,
  objectId,
  type ApiKeyOwner,
  type EmulatorSettings,
  type Environment,
  type LinkedAccount,
  type RecordedRequest,
} from './emulator-state';
import { EmulatorTokens, type TokenHolder } from './emulator-tokens';
import { FaultBoard, type EmulatorFault, type FaultRule } from './faults';

export type { EmulatorSettings, Environment, LinkedAccount, RecordedRequest } from './emulator-state';

export interface EmulatorOptions extends Partial<EmulatorSettings> {
  readonly host?: string;
  readonly port?: number;
  /** API key → the org and data environment it selects. */
  readonly apiKeys: Readonly<Record<string, ApiKeyOwner>>;
  /** Linked accounts that exist from the start, in the environment of the first API key by default. */
  readonly seedAccounts?: readonly { accountId: string; name?: string; environment?: Environment }[];
  /** Time for token issue and expiry, kept connect-url bodies, and latency faults. */
  readonly clock?: Clock;
}

/**
 * A Cobalt emulator: a real HTTP server that follows Cobalt's public contract as written down in
 * docs/cobalt-contract.md, including the parts where Cobalt's own docs disagree, which are switches
 * (`settings`). It is the gateway's embedded upstream in development, the upstream of the
 * integration tests, and `npm run emulator` on its own.
 */
export class CobaltEmulator {
  readonly settings: EmulatorSettings;
  readonly faults = new FaultBoard();
  /** Requests received on the Cobalt routes, oldest first (bounded; admin and CORS preflights excluded). */
  readonly requests: RecordedRequest[];
  readonly #options: EmulatorOptions;
  readonly #clock: Clock;
  readonly #state: EmulatorState;
  readonly #tokens: EmulatorTokens;
  readonly #server = new EmulatorServer((req, res) => this.#handle(req, res));
  readonly #backend: CobaltBackend;
  readonly #admin: AdminTarget;

  constructor(options: EmulatorOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.settings = {
      tokenTtlSeconds: options.tokenTtlSeconds ?? 72 * 3600,
      responseShape: options.responseShape ?? 'current',
      unknownAccountStyle: options.unknownAccountStyle ?? 'current-400',
    };
    this.#state = new EmulatorState(this.settings, this.#clock);
    this.requests = this.#state.requests;
    this.#tokens = new EmulatorTokens(this.#clock);
    const state = this.#state;
    const server = this.#server;
    this.#backend = {
      state,
      tokens: this.#tokens,
      apiKeys: options.apiKeys,
      get url() {
        return server.url;
      },
    };
    this.#admin = {
      faults: this.faults,
      settings: this.settings,
      requests: this.requests,
      receivedTotal: () => state.receivedTotal,
      reset: () => this.reset(),
    };
    const first = Object.values(options.apiKeys)[0];
    const orgId = first?.orgId ?? objectId();
    for (const seed of options.seedAccounts ?? []) {
      const environment = seed.environment ?? first?.environment ?? 'test';
      state.upsertAccount({ orgId, environment }, seed.accountId, { name: seed.name });
    }
  }

  /** Base URL, e.g. `http://127.0.0.1:43123` (no trailing slash). */
  get url(): string {
    return this.#server.url;
  }

  async start(): Promise<this> {
    await this.#server.listen(this.#options.port ?? 0, this.#options.host ?? '127.0.0.1');
    return this;
  }

  /** Stops at once, cutting open connections (a `hang` fault's included). */
  async stop(): Promise<void> {
    await this.#server.close();
  }

  addFault(fault: EmulatorFault, rule: Omit<FaultRule, 'fault'> = {}): void {
    this.faults.add({ ...rule, fault });
  }

  addLinkedAccount(accountId: string, apiKey = Object.keys(this.#options.apiKeys)[0] ?? ''): void {
    const owner = this.#options.apiKeys[apiKey];
    if (owner === undefined) throw new Error('addLinkedAccount: unknown API key');
    this.#state.upsertAccount(owner, accountId, {});
  }

  /**
   * Makes Cobalt hold an already-issued token for the account that expires in `expiresInSeconds`,
   * as when its reuse rule hands back a token minted long ago. Returns it.
   */
  async issueToken(
    accountId: string,
    expiresInSeconds: number,
    apiKey = Object.keys(this.#options.apiKeys)[0] ?? '',
  ): Promise<string> {
    const owner = this.#options.apiKeys[apiKey];
    if (owner === undefined) throw new Error('issueToken: unknown API key');
    const exp = this.#tokens.nowSeconds() + expiresInSeconds;
    const issued = await this.#tokens.issue(owner, accountId, exp - this.settings.tokenTtlSeconds, exp);
    return issued.token;
  }

  /** Requests received on a path (all when omitted), oldest first. */
  received(path?: string): RecordedRequest[] {
    return path === undefined ? [...this.requests] : this.requests.filter((r) => r.path === path);
  }

  /** Clears faults, the request log, every issued and revoked token and connect-url bodies; accounts stay. */
  reset(): void {
    this.faults.clear();
    this.#state.clearSession();
    this.#tokens.clear();
  }

  /** What the hosted page would read back for a connect URL's token (`GET /hosted-properties`). */
  hostedProperties(token: string): unknown {
    return this.#state.hostedProperties(token);
  }

  /** The linked account as stored (udf array included), or undefined. */
  linkedAccount(accountId: string, environment: Environment = 'test'): Readonly<LinkedAccount> | undefined {
    return this.#state.findAccount(environment, accountId);
  }

  /** Verifies a token minted here: signature, expiry and revocation. For Bearer-authenticated routes. */
  verifySessionToken(token: string): Promise<TokenHolder | null> {
    return this.#tokens.verify(token);
  }

  /** Marks an app as connected for a linked account (what finishing Cobalt's connect flow does). */
  connectApplication(accountId: string, slug: string, environment: Environment = 'test'): void {
    this.#state.connectApplication(environment, accountId, slug);
  }

  /** Revokes a token as Cobalt's revoke route would, without going through HTTP. */
  revokeToken(token: string): void {
    this.#tokens.revoke(token);
  }

  /** Admin routes first (never recorded, never faulted), then CORS, the log, a fault, the Cobalt routes. */
  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;
    if (path.startsWith(ADMIN_PREFIX)) {
      answerAdmin(this.#admin, req.method ?? 'GET', path, body, res);
      return;
    }
    if (answerCors(req, res)) return;

    this.#state.record({ method: req.method ?? '', path, search: url.search, headers: { ...req.headers }, body });
    const fault = this.faults.take(path);
    if (fault !== undefined && (await applyFault(fault, req, res, this.#clock))) return;

    const request = { method: req.method ?? 'GET', path, query: url.searchParams, headers: req.headers, body };
    try {
      sendJson(res, 200, await dispatch(COBALT_ROUTES, this.#backend, request));
    } catch (error) {
      if (error instanceof HttpProblem) sendError(res, error);
      else throw error;
    }
  }
}

export async function startCobaltEmulator(options: EmulatorOptions): Promise<CobaltEmulator> {
  return new CobaltEmulator(options).start();
}
