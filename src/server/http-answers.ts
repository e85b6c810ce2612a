import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ErrorCode, errorPolicy } from '../errors/error-code';
import type { Shed } from './overload-monitor';

// Applied to every answer. Nothing here is cacheable, and session tokens must never sit in a cache.
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

// writeHead() fixes the header block at once, so Node can no longer add a Content-Length when end()
// gets the body and falls back to chunked encoding: more bytes, more writes. Say the length up front.
export function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res
    .writeHead(status, {
      ...COMMON_HEADERS,
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
    })
    .end(body);
}

export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  requestId: string,
  code: string,
  message: string,
): void {
  send(
    res,
    status,
    'application/json; charset=utf-8',
    JSON.stringify({ errors: [{ message, extensions: { code, retryable: false, requestId } }] }),
  );
}

/**
 * Slow-client guards (slowloris) for every listener: the whole header block within 10 s, the whole
 * request within 30 s, and idle kept-alive connections closed after 5 s.
 */
export function guardSlowClients(server: Server): void {
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
}

/**
 * 503 with `Retry-After` and the typed error, without parsing the body: refusing must cost far less
 * than serving, or shedding would not relieve the loop. A POST's body is in already (admission comes
 * after it); any other body is read off the socket (and dropped) before answering: a connection closed
 * with unread bytes in its receive buffer is reset (RST) by the kernel, and the client then sees
 * ECONNRESET instead of the 503 already sent.
 */
export function sendOverloaded(req: IncomingMessage, res: ServerResponse, requestId: string, shed: Shed): void {
  if (req.complete) {
    answerOverloaded(res, requestId, shed);
    return;
  }
  req.once('end', () => answerOverloaded(res, requestId, shed));
  req.resume();
}

function answerOverloaded(res: ServerResponse, requestId: string, shed: Shed): void {
  const { message } = errorPolicy[ErrorCode.OVERLOADED];
  const extensions = {
    code: ErrorCode.OVERLOADED,
    retryable: true,
    retryAfterSeconds: shed.retryAfterSeconds,
    requestId,
  };
  res.setHeader('retry-after', String(shed.retryAfterSeconds));
  send(res, 503, 'application/json; charset=utf-8', JSON.stringify({ errors: [{ message, extensions }] }));
}
