import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import type { Secret } from '../config/secret';
import type { Logger } from '../observability/logger';
import { GatewayError } from '../errors/gateway-error';
import type { CobaltCallBudget } from './call-budget';
import type { CobaltCircuitBreaker } from './circuit-breaker';
import { parseRetryAfter, toGatewayError } from './cobalt-error-mapper';
import { CobaltFailureError, describeFailure, type CobaltFailure } from './cobalt-failure';
import { toApplication, type CobaltApplication } from './application';
import {
  applicationListSchema,
  applicationSchema,
  connectUrlResponseSchema,
  linkedAccountSchema,
  parseErrorBody,
  revokeResponseSchema,
  sessionTokenResponseSchema,
} from './cobalt.wire';
import { toLinkedAccount, type CobaltLinkedAccount, type LinkedAccountProfile } from './linked-account';
import { createNodeHttpAdapter, RESPONSE_TOO_LARGE, RESPONSE_UNDECODABLE } from './node-http-adapter';
import { backoffMs, isRetryable, RetryBudget } from './retry-policy';
import { readSessionToken, type CobaltSessionToken } from './session-token';

export interface CobaltDataSourceOptions {
  readonly baseUrl: string;
  readonly apiKey: Secret;
  /** Deadline for one attempt, from connect to the last byte. */
  readonly timeoutMs: number;
  /** Deadline for one operation, all attempts and waits included. */
  readonly deadlineMs: number;
  /** Retries after the first attempt, for retryable failures only. */
  readonly maxRetries: number;
  readonly log: Logger;
  /** Told about every call (for metrics): operation, seconds, and `ok` or the mapped error code. */
  readonly onCall?: (operation: string, seconds: number, outcome: string) => void;
  /** Told about every retry (for metrics). */
  readonly onRetry?: (operation: string) => void;
  /** Fails operations fast while Cobalt is down; none: every operation goes out. */
  readonly breaker?: Pick<CobaltCircuitBreaker, 'run' | 'state'>;
  /** The org-wide budget every attempt draws from; none: unlimited. */
  readonly callBudget?: CobaltCallBudget;
}

export interface CreateSessionTokenOptions {
  /** Ask Cobalt to rotate instead of handing back its current token (`force_refresh=true`). */
  readonly forceRefresh?: boolean;
}

// Cobalt's JSON answers are tiny; anything this big is not an answer we want to buffer.
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The Cobalt HTTP client. Owns the API key, the deadline, and the translation of every outcome into
 * either a parsed value or a `GatewayError` (through `toGatewayError`). Raw axios errors never leave
 * this class: they hold the API key in several places (RELIABILITY.md §0.1).
 */
export class CobaltDataSource {
  readonly #http: AxiosInstance;
  readonly #timeoutMs: number;
  readonly #deadlineMs: number;
  readonly #maxRetries: number;
  readonly #budget = new RetryBudget();
  readonly #log: Logger;
  readonly #apiKey: Secret;
  readonly #onCall: NonNullable<CobaltDataSourceOptions['onCall']>;
  readonly #onRetry: NonNullable<CobaltDataSourceOptions['onRetry']>;
  readonly #breaker: CobaltDataSourceOptions['breaker'];
  readonly #callBudget: CobaltDataSourceOptions['callBudget'];

  constructor(options: CobaltDataSourceOptions) {
    this.#timeoutMs = options.timeoutMs;
    this.#deadlineMs = options.deadlineMs;
    this.#maxRetries = options.maxRetries;
    this.#log = options.log;
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
    this.#http = axios.create({
      baseURL: options.baseUrl,
      // Idle-socket guard only: axios's `timeout` resets on every byte (RELIABILITY.md §0.2); the real
      // deadline is the AbortSignal set per call.
      timeout: options.timeoutMs,
      // Never follow a redirect: the x-api-key would go wherever Cobalt (or its DNS) points.
      maxRedirects: 0,
      maxContentLength: MAX_RESPONSE_BYTES,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      httpAgent,
      httpsAgent,
      // A lean transport under axios: its own http adapter cost more CPU than the rest of a cold mint.
      adapter: createNodeHttpAdapter({ httpAgent, httpsAgent }),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
    });
    this.#apiKey = options.apiKey;
    this.#onCall = options.onCall ?? (() => undefined);
    this.#onRetry = options.onRetry ?? (() => undefined);
    this.#breaker = options.breaker;
    this.#callBudget = options.callBudget;
  }

  /** `POST /api/v2/public/session-token` for one linked account. */
  async createSessionToken(
    linkedAccountId: string,
    options: CreateSessionTokenOptions = {},
  ): Promise<CobaltSessionToken> {
    return this.#call('createSessionToken', async (timeoutMs) => {
      const response = await this.#send(timeoutMs, 'POST', '/api/v2/public/session-token', {
        auth: 'api-key',
        body: { linked_account_id: linkedAccountId },
        ...(options.forceRefresh === true && { params: { force_refresh: 'true' } }),
      });
      return { status: response.status, value: this.#parseSessionToken(response, linkedAccountId) };
    });
  }

  /**
   * `POST /api/v2/public/session-token/revoke`, authenticated by the token itself (cobalt-api.md §3).
   * True when Cobalt revoked it; false when Cobalt already considers it invalid (401).
   */
  async revokeSessionToken(token: string): Promise<boolean> {
    return this.#call('revokeSessionToken', async (timeoutMs) => {
      const response = await this.#send(timeoutMs, 'POST', '/api/v2/public/session-token/revoke', {
        auth: { bearer: token },
      });
      if (response.status === 401) return { status: response.status, value: false };
      this.#failUnlessOk(response);
      const parsed = revokeResponseSchema.safeParse(parseJsonOrUndefined(response.data));
      if (!parsed.success)
        throw new CobaltFailureError({ kind: 'invalid-response', reason: 'unexpected revoke answer' });
      return { status: response.status, value: parsed.data.revoked_count > 0 };
    });
  }

  /**
   * `PUT /api/v2/public/linked-account`: creates the account or updates its name and merges its
   * user-defined fields (cobalt-api.md §5.3). Idempotent, so retrying it is safe.
   */
  async upsertLinkedAccount(linkedAccountId: string, profile: LinkedAccountProfile): Promise<CobaltLinkedAccount> {
    return this.#call('upsertLinkedAccount', async (timeoutMs) => {
      const response = await this.#send(timeoutMs, 'PUT', '/api/v2/public/linked-account', {
        auth: 'api-key',
        body: {
          linked_account_id: linkedAccountId,
          ...(profile.name !== undefined && { name: profile.name }),
          ...(profile.udf !== undefined && { udf: profile.udf }),
        },
      });
      this.#failUnlessOk(response);
      const account = parseBody(response, linkedAccountSchema, 'unexpected linked-account answer');
      if (account.account_id !== linkedAccountId) {
        throw new CobaltFailureError({ kind: 'invalid-response', reason: 'upsert answered for another account' });
      }
      return { status: response.status, value: toLinkedAccount(account) };
    });
  }

  /** `GET /api/v2/public/application`: every application with this account's connection state (§6.1). */
  async listApplications(linkedAccountId: string): Promise<CobaltApplication[]> {
    return this.#call('listApplications', async (timeoutMs) => {
      const response = await this.#send(timeoutMs, 'GET', '/api/v2/public/application', {
        auth: 'api-key',
        ...accountScope(linkedAccountId),
      });
      this.#failUnlessOk(response);
      const list = parseBody(response, applicationListSchema, 'unexpected application list');
      return { status: response.status, value: list.map(toApplication) };
    });
  }

  /**
   * `GET /api/v2/public/application/{slug}` (§6.2). A 404 that is not about the account means the slug
   * is unknown. The slug must already be validated by the caller; it is encoded here regardless.
   */
  async getApplication(linkedAccountId: string, slug: string): Promise<CobaltApplication> {
    return this.#call('getApplication', async (timeoutMs) => {
      const response = await this.#send(timeoutMs, 'GET', `/api/v2/public/application/${encodeURIComponent(slug)}`, {
        auth: 'api-key',
        ...accountScope(linkedAccountId),
      });
      this.#failUnlessOk(response, 'application');
      const app = parseBody(response, applicationSchema, 'unexpected application');
      if (app.slug !== slug) throw new CobaltFailureError({ kind: 'invalid-response', reason: 'another application' });
      return { status: response.status, value: toApplication(app) };
    });
  }

  /**
   * `POST /api/v2/public/connect-url`, authenticated by the user's session token ("unlike other APIs",
   * §6.4). Cobalt stores `body` verbatim for the hosted page. The answer embeds the session token: it
   * is a secret and is never logged.
   */
  async createConnectUrl(
    sessionToken: string,
    body: Readonly<Record<string, unknown>>,
    configId?: string,
  ): Promise<string> {
    return this.#call('createConnectUrl', async (timeoutMs) => {
      const response = await this.#send(timeoutMs, 'POST', '/api/v2/public/connect-url', {
        auth: { bearer: sessionToken },
        body,
        ...(configId !== undefined && { params: { config_id: configId } }),
      });
      this.#failUnlessOk(response);
      const parsed = parseBody(response, connectUrlResponseSchema, 'unexpected connect-url answer');
      return { status: response.status, value: parsed.hosted_url };
    });
  }

  /**
   * Runs one Cobalt operation behind the circuit breaker, which counts it as one success or failure.
   * The first attempt's share of the org-wide budget is taken before the breaker: a call the budget
   * refuses never reached Cobalt, so it must count neither as an outage nor (opossum's only other
   * choice) as a success that would hide one. After a wait for the budget a full attempt must still
   * fit in the deadline; otherwise the operation is refused before anything goes out.
   */
  async #call<T>(operation: string, run: (timeoutMs: number) => Promise<{ status: number; value: T }>): Promise<T> {
    const startedAt = performance.now();
    const deadline = startedAt + this.#deadlineMs;
    if (this.#callBudget !== undefined && this.#breaker?.state !== 'open') {
      try {
        await this.#callBudget.acquire(Math.max(0, deadline - this.#timeoutMs - performance.now()));
      } catch (error) {
        if (error instanceof GatewayError) this.#onCall(operation, (performance.now() - startedAt) / 1000, error.code);
        throw error;
      }
    }
    const attempts = () => this.#attempts(operation, run, startedAt, deadline);
    return this.#breaker === undefined ? attempts() : this.#breaker.run(attempts);
  }

  /**
   * Attempts under a per-attempt timeout; retries of retryable failures within the retry budget,
   * the org-wide call budget and the overall deadline (waiting out Retry-After only when it fits);
   * one log line; and the translation of the final failure into a GatewayError.
   */
  async #attempts<T>(
    operation: string,
    run: (timeoutMs: number) => Promise<{ status: number; value: T }>,
    startedAt: number,
    deadline: number,
  ): Promise<T> {
    this.#budget.recordCall();
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Whole milliseconds: AbortSignal.timeout throws a RangeError on a fractional delay, which
        // is what the time left before the deadline always is.
        const { status, value } = await run(
          Math.max(1, Math.floor(Math.min(this.#timeoutMs, deadline - performance.now()))),
        );
        this.#onCall(operation, (performance.now() - startedAt) / 1000, 'ok');
        this.#log.debug(
          { cobaltCall: operation, status, attempt, durationMs: Math.round(performance.now() - startedAt) },
          'cobalt call succeeded',
        );
        return value;
      } catch (error) {
        if (!(error instanceof CobaltFailureError)) throw error;
        const waitMs = this.#retryWait(error.failure, attempt, deadline);
        if (waitMs !== undefined && (await this.#retryMayGo(operation, attempt, error.failure, waitMs, deadline))) {
          continue;
        }
        const { error: gatewayError, severity } = toGatewayError(error.failure);
        this.#onCall(operation, (performance.now() - startedAt) / 1000, gatewayError.code);
        this.#log[severity](
          {
            cobaltCall: operation,
            status: error.failure.kind === 'http' ? error.failure.status : undefined,
            attempt,
            durationMs: Math.round(performance.now() - startedAt),
            failure: describeFailure(error.failure),
            cobaltRequestId: error.failure.kind === 'http' ? error.failure.body?.requestId : undefined,
            code: gatewayError.code,
          },
          'cobalt call failed',
        );
        throw gatewayError;
      }
    }
  }

  /**
   * Waits before a retry, then takes its share of the org-wide budget. False when the budget has
   * none left in time: the operation then fails with what Cobalt last did, which is what it was.
   */
  async #retryMayGo(
    operation: string,
    attempt: number,
    failure: CobaltFailure,
    waitMs: number,
    deadline: number,
  ): Promise<boolean> {
    this.#onRetry(operation);
    this.#log.info(
      { cobaltCall: operation, attempt, failure: describeFailure(failure), waitMs },
      'retrying cobalt call',
    );
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    try {
      await this.#callBudget?.acquire(Math.max(0, deadline - performance.now() - Math.min(this.#timeoutMs, 250)));
      return true;
    } catch (error) {
      if (error instanceof GatewayError) return false;
      throw error;
    }
  }

  /** How long to wait before another attempt, or undefined when there must be none. */
  #retryWait(failure: CobaltFailure, attempt: number, deadline: number): number | undefined {
    if (attempt > this.#maxRetries || !isRetryable(failure)) return undefined;
    const hinted = failure.kind === 'http' && failure.retryAfterSeconds !== undefined;
    const waitMs = hinted ? failure.retryAfterSeconds * 1000 : backoffMs(attempt - 1);
    // Leave an attempt some time to succeed; a wait that eats the deadline only delays the error.
    const minimumAttemptMs = Math.min(this.#timeoutMs, 250);
    if (performance.now() + waitMs + minimumAttemptMs > deadline) return undefined;
    return this.#budget.tryRetry() ? waitMs : undefined;
  }

  #parseSessionToken(response: AxiosResponse<string>, linkedAccountId: string): CobaltSessionToken {
    this.#failUnlessOk(response);
    const json = parseJsonOrUndefined(response.data);
    if (json === undefined) throw new CobaltFailureError({ kind: 'invalid-response', reason: 'body is not JSON' });
    const parsed = sessionTokenResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new CobaltFailureError({ kind: 'invalid-response', reason: 'no usable token field' });
    }
    const token = readSessionToken(parsed.data, linkedAccountId);
    if (typeof token === 'string') throw new CobaltFailureError({ kind: 'invalid-response', reason: token });
    return token;
  }

  /** `resource`: what the request's path names, so that a 404 can be read as "that does not exist". */
  #failUnlessOk(response: AxiosResponse<string>, resource?: 'application'): void {
    if (response.status >= 200 && response.status < 300) return;
    const failure: CobaltFailure = {
      kind: 'http',
      status: response.status,
      body: typeof response.data === 'string' ? parseErrorBody(response.data) : undefined,
      retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
      ...(resource !== undefined && { resource }),
    };
    throw new CobaltFailureError(failure);
  }

  async #send(
    timeoutMs: number,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    request: {
      auth: 'api-key' | { bearer: string };
      body?: unknown;
      params?: Record<string, string>;
      headers?: Record<string, string>;
    },
  ): Promise<AxiosResponse<string>> {
    const authHeader =
      request.auth === 'api-key'
        ? { ...request.headers, 'x-api-key': this.#apiKey.reveal() }
        : { ...request.headers, authorization: `Bearer ${request.auth.bearer}` };
    // A controller and a cleared timer rather than AbortSignal.timeout: that one fires after every
    // call, long finished or not, building a DOMException each time (a --cpu-prof of a cold mint showed it).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await this.#http.request<string>({
        method,
        url: path,
        headers: authHeader,
        data: request.body === undefined ? undefined : JSON.stringify(request.body),
        params: request.params,
        signal: controller.signal,
      });
    } catch (error) {
      // Classify from a few fields and drop the error: it holds the request config and socket state.
      throw new CobaltFailureError(classifyTransportError(error));
    } finally {
      clearTimeout(timer);
    }
  }
}

function classifyTransportError(error: unknown): CobaltFailure {
  if (!axios.isAxiosError(error)) return { kind: 'network', errno: 'UNKNOWN' };
  const code = error.code ?? 'UNKNOWN';
  if (code === 'ERR_CANCELED' || code === 'ECONNABORTED' || code === 'ETIMEDOUT') return { kind: 'timeout' };
  // (axios's own adapter, used for what ours does not implement, says "too large" only in its message.)
  if (code === RESPONSE_TOO_LARGE || (code === 'ERR_BAD_RESPONSE' && /maxContentLength/i.test(error.message))) {
    return { kind: 'invalid-response', reason: 'response too large' };
  }
  if (code === RESPONSE_UNDECODABLE) return { kind: 'invalid-response', reason: 'body could not be decoded' };
  return { kind: 'network', errno: code };
}

/**
 * How a linked-account-scoped call names the account: always the `linked_account_id` query parameter
 * (URL-encoded, so any id travels intact), plus the header Cobalt's guide shows when the id survives
 * a header unchanged. axios 1.21 silently drops non-Latin-1 characters and strips CR/LF from header
 * values (RELIABILITY.md §0.3), and HTTP trims surrounding spaces, so an id outside printable ASCII
 * could name another account in a header; Cobalt prefers the header when both are sent (§6.1).
 */
function accountScope(linkedAccountId: string): { params: Record<string, string>; headers?: Record<string, string> } {
  const headerSafe = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(linkedAccountId);
  return {
    params: { linked_account_id: linkedAccountId },
    ...(headerSafe && { headers: { linked_account_id: linkedAccountId } }),
  };
}

/** Parses a 2xx body with a wire schema; anything else is Cobalt breaking its contract. */
function parseBody<T>(response: AxiosResponse<string>, schema: z.ZodType<T>, reason: string): T {
  const json = parseJsonOrUndefined(response.data);
  if (json === undefined) throw new CobaltFailureError({ kind: 'invalid-response', reason: 'body is not JSON' });
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new CobaltFailureError({ kind: 'invalid-response', reason });
  return parsed.data;
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
