import type { IncomingMessage } from 'node:http';

export class BodyTooLargeError extends Error {}

/**
 * The request stream failed while its body was read: the client went away or sent a body Node could
 * not parse (a broken chunk). Nothing on our side is wrong, and nobody is left to answer.
 */
export class ClientAbortedError extends Error {
  constructor(readonly reason: string) {
    super('client went away mid-request');
  }
}

/** The request body as text, refused with `BodyTooLargeError` past `limit` bytes (declared or streamed). */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return; // already refused: discard the rest so the 413 can still be sent
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (error: NodeJS.ErrnoException) => reject(new ClientAbortedError(error.code ?? error.message)));
  });
}
