import http from 'node:http';
import { MINT_QUERY } from './operations';

export interface BurstAnswer {
  /** The HTTP status, or 0 when the request failed at the transport (reset, refused, timeout). */
  readonly status: number;
  readonly token?: string;
  readonly code?: string;
  /** The transport error, when there was one. */
  readonly error?: string;
}

/**
 * `count` concurrent `createSessionToken` POSTs, each on its own connection (as that many separate
 * browsers would), request i signed in with `bearers[i % bearers.length]`. node:http rather than
 * fetch: a burst generator as light as possible, so that the load lands on the gateway rather than
 * on the process sending it.
 */
export function burstMints(url: string, bearers: readonly string[], count: number): Promise<BurstAnswer[]> {
  const target = new URL(url);
  const body = JSON.stringify({ query: MINT_QUERY });
  return Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<BurstAnswer>((resolve) => {
          const req = http.request(
            {
              host: target.hostname,
              port: target.port,
              path: target.pathname,
              method: 'POST',
              agent: false,
              headers: {
                'content-type': 'application/json',
                'content-length': Buffer.byteLength(body),
                authorization: `Bearer ${bearers[i % bearers.length]!}`,
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (text += chunk));
              res.on('end', () => resolve(parseAnswer(res.statusCode ?? 0, text)));
            },
          );
          req.on('error', (error) => resolve({ status: 0, error: error.message }));
          req.end(body);
        }),
    ),
  );
}

function parseAnswer(status: number, text: string): BurstAnswer {
  try {
    const parsed = JSON.parse(text) as {
      data?: { createSessionToken?: { token?: string } } | null;
      errors?: { extensions?: { code?: string } }[];
    };
    const token = parsed.data?.createSessionToken?.token;
    const code = parsed.errors?.[0]?.extensions?.code;
    return { status, ...(token !== undefined && { token }), ...(code !== undefined && { code }) };
  } catch {
    return { status };
  }
}
