import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** An answer in Cobalt's error envelope, thrown by a route and sent by the request handler. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode = 'SERVER_ERROR',
  ) {
    super(message);
  }
}

const HTTP_ERROR_TYPE: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/**
 * Cobalt's error envelope with every spelling of the code at once (`error` and `error_code`, see
 * docs/cobalt-contract.md#errors), so clients written for either generation are exercised.
 */
export function sendError(res: ServerResponse, problem: HttpProblem): void {
  sendJson(res, problem.status, {
    status_code: problem.status,
    http_error_type: HTTP_ERROR_TYPE[problem.status] ?? 'INTERNAL_SERVER_ERROR',
    error: problem.errorCode,
    error_code: problem.errorCode,
    message: problem.message,
    request_id: randomUUID(),
  });
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The request body as a JSON object, or Cobalt's 400 when it is not one. */
export function parseJsonObject(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the 400
  }
  throw new HttpProblem(400, 'Request body must be a JSON object');
}

/**
 * Cobalt's frontend SDK calls from the browser with a Bearer token, so the emulator answers CORS as
 * Cobalt does: it echoes the origin on every answer and answers preflights itself. Returns true when
 * the request was a preflight and has been answered.
 */
export function answerCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string') {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
  }
  if (req.method !== 'OPTIONS') return false;
  res
    .writeHead(204, {
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'access-control-allow-headers': 'authorization, content-type, x-api-key, linked_account_id',
      'access-control-max-age': '600',
    })
    .end();
  return true;
}

/**
 * A node:http server that stops at once: it tracks its sockets so that `close()` does not wait for
 * keep-alive clients or for requests a `hang` fault never answers.
 */
export class EmulatorServer {
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  #url = '';

  /** A handler that throws is answered with a 500 envelope, or a cut connection once headers are out. */
  constructor(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
    this.#server = http.createServer((req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) sendError(res, new HttpProblem(500, 'Emulator failure'));
        else res.destroy();
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Base URL once listening, e.g. `http://127.0.0.1:43123` (no trailing slash); empty before. */
  get url(): string {
    return this.#url;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    const { address, port: bound } = this.#server.address() as AddressInfo;
    this.#url = `http://${address.includes(':') ? `[${address}]` : address}:${bound}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }
}
