import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import {
  AxiosError,
  AxiosHeaders,
  CanceledError,
  getAdapter,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';

/** Error codes of a body that arrived but is unusable: a failure of the answer, never retried. */
export const RESPONSE_TOO_LARGE = 'ERR_RESPONSE_TOO_LARGE';
export const RESPONSE_UNDECODABLE = 'ERR_RESPONSE_UNDECODABLE';

export interface NodeHttpAdapterOptions {
  readonly httpAgent: http.Agent;
  readonly httpsAgent: https.Agent;
}

const DECODERS: Readonly<Record<string, (buffer: Buffer, options: zlib.ZlibOptions) => Buffer>> = {
  gzip: zlib.gunzipSync,
  'x-gzip': zlib.gunzipSync,
  deflate: zlib.inflateSync,
  br: (buffer, options) => zlib.brotliDecompressSync(buffer, options),
};

function fullUrl(config: InternalAxiosRequestConfig): URL {
  const path = config.url ?? '';
  const base = config.baseURL;
  const url = new URL(base === undefined ? path : `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  const params = config.params as Record<string, string | number | boolean | null | undefined> | undefined;
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null) url.searchParams.append(name, String(value));
  }
  return url;
}

/** What this adapter does not implement; such requests go to axios's own http adapter. */
function needsFullAdapter(config: InternalAxiosRequestConfig): boolean {
  const data: unknown = config.data;
  return (
    (config.proxy !== undefined && config.proxy !== false) ||
    config.socketPath != null ||
    config.httpVersion === 2 ||
    (config.responseType !== undefined && config.responseType !== 'text' && config.responseType !== 'json') ||
    config.onUploadProgress !== undefined ||
    config.onDownloadProgress !== undefined ||
    (data !== undefined && data !== null && typeof data !== 'string' && !Buffer.isBuffer(data)) ||
    config.paramsSerializer !== undefined ||
    Object.values((config.params ?? {}) as object).some((v) => typeof v === 'object' && v !== null)
  );
}

/**
 * A lean axios adapter on `node:http` for small JSON exchanges: one request on a keep-alive agent,
 * the body collected as text. axios stays the interface (instance config, interceptors, AxiosError
 * codes, `validateStatus`, `signal`, `timeout`, `maxContentLength`); only the transport underneath
 * changes. axios's own http adapter spent about 150 µs of CPU per call on top of node:http here
 * (proxy resolution from the environment on every call, its stream pipeline, redirect plumbing), a
 * third of a cold mint: see bench/cobalt-client.ts and the README's benchmark section.
 *
 * Deliberately never follows redirects (a 3xx is just a response), never uses a proxy from the
 * environment, and does not ask for compression (it still decodes gzip, deflate and br if a server
 * compresses anyway). Requests it does not implement (an explicit proxy, streams, uploads with
 * progress, HTTP/2) are handed to axios's http adapter unchanged.
 */
export function createNodeHttpAdapter(options: NodeHttpAdapterOptions): AxiosAdapter {
  const fallback = getAdapter('http');
  return (config) => {
    if (needsFullAdapter(config)) return fallback(config);
    return new Promise<AxiosResponse>((resolve, reject) => {
      const signal = config.signal as AbortSignal | undefined;
      if (signal?.aborted === true) {
        reject(new CanceledError(undefined, config));
        return;
      }
      let url: URL;
      try {
        url = fullUrl(config);
      } catch (error) {
        reject(AxiosError.from(error, AxiosError.ERR_INVALID_URL, config));
        return;
      }
      const isHttps = url.protocol === 'https:';
      if (!isHttps && url.protocol !== 'http:') {
        reject(new AxiosError(`Unsupported protocol ${url.protocol}`, AxiosError.ERR_BAD_REQUEST, config));
        return;
      }
      const body = config.data as string | Buffer | undefined | null;
      const headers = AxiosHeaders.from(config.headers).toJSON() as Record<string, string>;
      if (body !== undefined && body !== null) headers['content-length'] = String(Buffer.byteLength(body));

      let settled = false;
      const fail = (error: AxiosError) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        request.destroy();
        reject(error);
      };
      const onAbort = () => fail(new CanceledError(undefined, config, request));

      const request = (isHttps ? https : http).request(
        url,
        {
          method: (config.method ?? 'get').toUpperCase(),
          headers,
          agent: isHttps ? options.httpsAgent : options.httpAgent,
          insecureHTTPParser: false,
        },
        (response) => {
          const limit = config.maxContentLength ?? -1;
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (limit > -1 && size > limit) {
              fail(new AxiosError(`maxContentLength size of ${limit} exceeded`, RESPONSE_TOO_LARGE, config, request));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', (error) => fail(AxiosError.from(error, AxiosError.ERR_BAD_RESPONSE, config, request)));
          response.on('aborted', () =>
            fail(new AxiosError('stream has been aborted', AxiosError.ERR_BAD_RESPONSE, config, request)),
          );
          response.on('end', () => {
            if (settled) return;
            let raw: Buffer = Buffer.concat(chunks);
            const encoding = (response.headers['content-encoding'] ?? '').toLowerCase();
            const decode = DECODERS[encoding];
            if (decode !== undefined) {
              try {
                raw = decode(raw, limit > -1 ? { maxOutputLength: limit } : {});
              } catch (error) {
                // Decoding is the upstream's fault, not the network's: distinct codes, so the data
                // source never retries a decompression bomb or a corrupt body (each retry of a POST
                // would mint again).
                const tooLarge = (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
                fail(
                  new AxiosError(
                    tooLarge ? `maxContentLength size of ${limit} exceeded` : 'response body could not be decoded',
                    tooLarge ? RESPONSE_TOO_LARGE : RESPONSE_UNDECODABLE,
                    config,
                    request,
                  ),
                );
                return;
              }
            }
            settled = true;
            signal?.removeEventListener('abort', onAbort);
            const status = response.statusCode ?? 0;
            const result: AxiosResponse = {
              data: raw.toString('utf8'),
              status,
              statusText: response.statusMessage ?? '',
              headers: new AxiosHeaders(response.headers as Record<string, string>),
              config,
              request,
            };
            const validate = config.validateStatus;
            if (status === 0 || validate === undefined || validate === null || validate(status)) {
              resolve(result);
              return;
            }
            const code = status >= 400 && status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE;
            reject(new AxiosError(`Request failed with status code ${status}`, code, config, request, result));
          });
        },
      );
      request.on('error', (error) => fail(AxiosError.from(error, undefined, config, request)));
      const timeout = config.timeout ?? 0;
      if (timeout > 0) {
        // axios's meaning: the socket idle this long (it restarts on every byte); the deadline is the signal.
        request.setTimeout(timeout, () =>
          fail(new AxiosError(`timeout of ${timeout}ms exceeded`, AxiosError.ECONNABORTED, config, request)),
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      request.end(body ?? undefined);
    });
  };
}
