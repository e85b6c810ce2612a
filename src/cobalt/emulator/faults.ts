/**
 * Faults the emulator can inject, switchable at run time (programmatically or through
 * `POST /__emulator/faults`). Each applies to requests whose path matches `path` (exact, or a prefix
 * when it ends in `*`; default: the session-token route) and to the next `times` of them (default: all).
 */
export type EmulatorFault =
  | { readonly type: 'latency'; readonly ms: number }
  | { readonly type: 'status'; readonly status: number; readonly retryAfter?: string; readonly message?: string }
  | { readonly type: 'hang' }
  | { readonly type: 'reset' }
  | { readonly type: 'malformed'; readonly body: string; readonly contentType?: string }
  | { readonly type: 'trickle'; readonly intervalMs: number; readonly chunks: number }
  | { readonly type: 'redirect'; readonly location: string };

export interface FaultRule {
  readonly fault: EmulatorFault;
  readonly path?: string;
  readonly times?: number;
}

export const SESSION_TOKEN_PATH = '/api/v2/public/session-token';

/** Keeps the active fault rules and consumes their `times` budget. */
export class FaultBoard {
  #rules: { rule: FaultRule; remaining: number }[] = [];

  add(rule: FaultRule): void {
    this.#rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#rules = [];
  }

  /** The fault for this request, if any; each match spends one of its `times`. */
  take(path: string): EmulatorFault | undefined {
    const entry = this.#rules.find(({ rule, remaining }) => remaining > 0 && pathMatches(rule.path, path));
    if (entry === undefined) return undefined;
    entry.remaining -= 1;
    return entry.rule.fault;
  }
}

function pathMatches(pattern: string = SESSION_TOKEN_PATH, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}
