import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../infra/clock';
import { HttpProblem, sendError, sendJson } from './emulator-server';
import type { EmulatorSettings, RecordedRequest } from './emulator-state';
import type { EmulatorFault, FaultBoard, FaultRule } from './faults';

export const ADMIN_PREFIX = '/__emulator/';

/** What the admin API controls: the emulator's run-time switches and records. */
export interface AdminTarget {
  readonly faults: FaultBoard;
  readonly settings: EmulatorSettings;
  readonly requests: readonly RecordedRequest[];
  receivedTotal(): number;
  reset(): void;
}

const OK = { ok: true };

/**
 * `/__emulator/*`: lets a process that only has the emulator's URL (a benchmark, a browser test, a
 * developer with curl) inject faults, switch settings and read what was received. Keyed by
 * `METHOD path`; a body that is not JSON fails the request with a 500 envelope.
 */
const ADMIN_ROUTES: Readonly<Record<string, (target: AdminTarget, body: string) => unknown>> = {
  'POST /__emulator/faults': (target, body) => {
    target.faults.add(JSON.parse(body) as FaultRule);
    return OK;
  },
  'DELETE /__emulator/faults': (target) => {
    target.faults.clear();
    return OK;
  },
  'GET /__emulator/stats': (target) => ({ received: target.receivedTotal() }),
  'GET /__emulator/requests': (target) => target.requests,
  'POST /__emulator/settings': (target, body) =>
    Object.assign(target.settings, JSON.parse(body) as Partial<EmulatorSettings>),
  'POST /__emulator/reset': (target) => {
    target.reset();
    return OK;
  },
};

export function answerAdmin(
  target: AdminTarget,
  method: string,
  path: string,
  body: string,
  res: ServerResponse,
): void {
  const handle = ADMIN_ROUTES[`${method} ${path}`];
  if (handle === undefined) sendError(res, new HttpProblem(404, 'Unknown emulator admin route'));
  else sendJson(res, 200, handle(target, body));
}

/** Plays a fault on a Cobalt request. Returns true when the fault produced the whole answer. */
export async function applyFault(
  fault: EmulatorFault,
  req: IncomingMessage,
  res: ServerResponse,
  clock: Clock,
): Promise<boolean> {
  switch (fault.type) {
    case 'latency':
      await clock.sleep(fault.ms);
      return res.destroyed;
    case 'status': {
      if (fault.retryAfter !== undefined) res.setHeader('retry-after', fault.retryAfter);
      sendError(res, new HttpProblem(fault.status, fault.message ?? `Emulated ${fault.status}`));
      return true;
    }
    case 'hang':
      // Never answer; the socket is destroyed by stop() or by the client giving up.
      return true;
    case 'reset':
      req.socket.destroy();
      return true;
    case 'malformed':
      res.writeHead(200, { 'content-type': fault.contentType ?? 'application/json' }).end(fault.body);
      return true;
    case 'redirect':
      res.writeHead(307, { location: fault.location }).end();
      return true;
    case 'trickle': {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < fault.chunks && !res.destroyed; i += 1) {
        res.write(' ');
        await clock.sleep(fault.intervalMs);
      }
      if (!res.destroyed) res.end('{"token":"trickled"}');
      return true;
    }
  }
}
