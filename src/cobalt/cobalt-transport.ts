import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import type { Secret } from '../config/secret';
import { systemClock, type Clock } from '../infra/clock';
import { CobaltFailureError, type CobaltFailure } from './cobalt-failure';
import { createNodeHttpAdapter, RESPONSE_TOO_LARGE, RESPONSE_UNDECODABLE } from './node-http-adapter';

/** One request to Cobalt, as an operation describes it. */
export interface CobaltRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route, relative to the base URL; path parameters already encoded. */
  readonly path: string;
  /** The org's API key, or a session token for the routes Cobalt authenticates by token. */
  readonly auth: 'api-key' | { readonly bearer: string };
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly params?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Any HTTP answer from Cobalt, whatever its status; the operation decides what it means. */
export interface CobaltResponse {
  readonly status: number;
  readonly body: string;
  /** The raw `Retry-After` header, when there is one. */
  readonly retryAfter: string | undefined;
  /** Epoch milliseconds at arrival: what `expires_in` and a Retry-After date are relative to. */
  readonly receivedAt: number;
}

export interface CobaltTransportOptions {
  readonly baseUrl: string;
  readonly apiKey: Secret;
  /** How long a socket may stay silent; the per-attempt deadline is `send`'s `timeoutMs`. */
  readonly idleTimeoutMs: number;
  readonly clock?: Clock;
}

// Cobalt's JSON answers are tiny; anything this big is not an answer we want to buffer.
const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Sends one request to Cobalt and either answers its HTTP response or throws a `CobaltFailureError`.
 * Raw axios errors never leave this class: they carry the request config, x-api-key included.
 */
export class CobaltTransport {
  readonly #http: AxiosInstance;
  readonly #apiKey: Secret;
  readonly #clock: Clock;

  constructor(options: CobaltTransportOptions) {
    this.#apiKey = options.apiKey;
    this.#clock = options.clock ?? systemClock;
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
    this.#http = axios.create({
      baseURL: options.baseUrl,
      // Idle-socket guard only: axios's `timeout` restarts on every byte, so an answer trickling in
      // never trips it; the real per-attempt deadline is the abort signal set in `send`.
      timeout: options.idleTimeoutMs,
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
  }

  /** `timeoutMs`: whole milliseconds this attempt may take, from connect to the last byte. */
  async send(request: CobaltRequest, timeoutMs: number): Promise<CobaltResponse> {
    const headers =
      request.auth === 'api-key'
        ? { ...request.headers, 'x-api-key': this.#apiKey.reveal() }
        : { ...request.headers, authorization: `Bearer ${request.auth.bearer}` };
    // A real timer, not the clock: it races a socket, which runs on real time. A controller and a
    // cleared timer rather than AbortSignal.timeout, which fires after every call, long finished or
    // not, building a DOMException each time (a CPU profile of a cold mint showed it).
    const controller = new AbortController();
    const scheduledAt = performance.now() + timeoutMs;
    let localDelayMs = 0;
    // Timers run before the poll phase: after our loop was blocked, the timer fires before an
    // answer already waiting in the socket is read. setImmediate runs after that poll phase, so
    // such an answer wins; the abort then only catches a Cobalt that really did not answer.
    const timer = setTimeout(() => {
      localDelayMs = Math.max(0, Math.round(performance.now() - scheduledAt));
      setImmediate(() => {
        controller.abort();
      });
    }, timeoutMs);
    try {
      const response = await this.#http.request<unknown>({
        method: request.method,
        url: request.path,
        headers,
        data: request.body === undefined ? undefined : JSON.stringify(request.body),
        params: request.params,
        signal: controller.signal,
      });
      const retryAfter: unknown = response.headers['retry-after'];
      return {
        status: response.status,
        body: typeof response.data === 'string' ? response.data : '',
        retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
        receivedAt: this.#clock.now(),
      };
    } catch (error) {
      // Classify from a few fields and drop the error: it holds the request config and socket state.
      const failure = classifyTransportError(error);
      throw new CobaltFailureError(
        failure.kind === 'timeout' && localDelayMs > 0 ? { kind: 'timeout', localDelayMs } : failure,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}

export function classifyTransportError(error: unknown): CobaltFailure {
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
