import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Secret } from '../config/secret';
import type { Logger } from '../observability/logger';
import { parseRetryAfter, toGatewayError } from './cobalt-error-mapper';
import { CobaltFailureError, describeFailure, type CobaltFailure } from './cobalt-failure';
import { parseErrorBody, revokeResponseSchema, sessionTokenResponseSchema } from './cobalt.wire';
import { createNodeHttpAdapter } from './node-http-adapter';
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
   * Runs one Cobalt operation: attempts under a per-attempt timeout, retries of retryable failures
   * within the retry budget and the overall deadline (waiting out Retry-After only when it fits),
   * one log line, and the translation of the final failure into a GatewayError.
   */
  async #call<T>(operation: string, run: (timeoutMs: number) => Promise<{ status: number; value: T }>): Promise<T> {
    const startedAt = performance.now();
    const deadline = startedAt + this.#deadlineMs;
    this.#budget.recordCall();
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { status, value } = await run(Math.max(1, Math.min(this.#timeoutMs, deadline - performance.now())));
        this.#onCall(operation, (performance.now() - startedAt) / 1000, 'ok');
        this.#log.debug(
          { cobaltCall: operation, status, attempt, durationMs: Math.round(performance.now() - startedAt) },
          'cobalt call succeeded',
        );
        return value;
      } catch (error) {
        if (!(error instanceof CobaltFailureError)) throw error;
        const waitMs = this.#retryWait(error.failure, attempt, deadline);
        if (waitMs !== undefined) {
          this.#log.info(
            { cobaltCall: operation, attempt, failure: describeFailure(error.failure), waitMs },
            'retrying cobalt call',
          );
          await new Promise((resolve) => setTimeout(resolve, waitMs));
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

  #failUnlessOk(response: AxiosResponse<string>): void {
    if (response.status >= 200 && response.status < 300) return;
    const failure: CobaltFailure = {
      kind: 'http',
      status: response.status,
      body: typeof response.data === 'string' ? parseErrorBody(response.data) : undefined,
      retryAfterSeconds: parseRetryAfter(response.headers['retry-after']),
    };
    throw new CobaltFailureError(failure);
  }

  async #send(
    timeoutMs: number,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    request: { auth: 'api-key' | { bearer: string }; body?: unknown; params?: Record<string, string> },
  ): Promise<AxiosResponse<string>> {
    const authHeader =
      request.auth === 'api-key'
        ? { 'x-api-key': this.#apiKey.reveal() }
        : { authorization: `Bearer ${request.auth.bearer}` };
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
  if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/i.test(error.message)) {
    return { kind: 'invalid-response', reason: 'response too large' };
  }
  return { kind: 'network', errno: code };
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
