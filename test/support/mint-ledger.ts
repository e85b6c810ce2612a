import net from 'node:net';
import { expect } from '@jest/globals';
import { ErrorCode } from '../../src/errors/error-code';
import { signTestJwt } from './jwt';
import { mintWithBearer } from './mint';
import { freshAccount, TEST_API_KEY, type TestGateway } from './test-gateway';
import { eventually } from './wait';

export interface MintOutcome {
  readonly account: string;
  readonly bearer: string;
  readonly status: number;
  /** The response body as received, for the leak scan. */
  readonly text: string;
  readonly token?: string;
  /** `ok`, the error code, or `lost` when the response was neither (or never came). */
  readonly outcome: string;
  readonly ms: number;
}

const DEFINED_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

function classify(body: { data?: unknown; errors?: readonly { extensions?: Record<string, unknown> }[] }): string {
  const minted = (body.data as { createSessionToken?: { token?: unknown } } | null | undefined)?.createSessionToken;
  if (typeof minted?.token === 'string' && body.errors === undefined) return 'ok';
  const code = body.errors?.length === 1 ? body.errors[0]?.extensions?.['code'] : undefined;
  return body.data === null && typeof code === 'string' && DEFINED_CODES.has(code) ? code : 'lost';
}

/**
 * Records every mint a fault test sends, so that the two measures every fault test is held to can be
 * checked over all of them: "nothing lost" (each request ends in exactly one of success or a defined
 * error code, in bounded time) and "nothing leaked" (the API key, bearer tokens and session tokens
 * appear nowhere they should not).
 */
export class MintLedger {
  readonly outcomes: MintOutcome[] = [];

  async mint(gw: TestGateway, account: string = freshAccount(gw.emulator)): Promise<MintOutcome> {
    const bearer = await signTestJwt({ sub: account });
    const startedAt = performance.now();
    let recorded: MintOutcome;
    try {
      const res = await mintWithBearer(gw, bearer);
      const token = res.data?.token;
      recorded = {
        account,
        bearer,
        status: res.status,
        text: JSON.stringify(res.body),
        ...(token !== undefined && { token }),
        outcome: res.status === 200 ? classify(res.body) : 'lost',
        ms: performance.now() - startedAt,
      };
    } catch {
      recorded = { account, bearer, status: 0, text: '', outcome: 'lost', ms: performance.now() - startedAt };
    }
    this.outcomes.push(recorded);
    return recorded;
  }

  mintMany(gw: TestGateway, count: number): Promise<MintOutcome[]> {
    return Promise.all(Array.from({ length: count }, () => this.mint(gw)));
  }

  /** Each request ended in success or one defined code, within `withinMs`. */
  expectNothingLost(outcomes: readonly MintOutcome[], withinMs: number): void {
    for (const { outcome, ms } of outcomes) {
      expect(outcome).not.toBe('lost');
      expect(ms).toBeLessThanOrEqual(withinMs);
    }
  }

  /**
   * The API key, bearer tokens and session tokens (whole, or their payload or signature) are absent
   * from the logs and from `stored` (e.g. every Redis key and value); a session token appears only in
   * the response to its own mint; responses name no upstream detail.
   */
  expectNothingLeaked(logs: string, stored: readonly string[] = []): void {
    const secrets = [TEST_API_KEY];
    for (const { bearer, token } of this.outcomes) {
      secrets.push(bearer, bearer.split('.')[2]!);
      if (token !== undefined) secrets.push(token, ...token.split('.').slice(1));
    }
    for (const text of [logs, ...stored]) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(logs).not.toMatch(/x-api-key/i);
    for (const { account } of this.outcomes) for (const text of stored) expect(text).not.toContain(account);
    for (const mine of this.outcomes) {
      expect(mine.text).not.toContain(TEST_API_KEY);
      expect(mine.text).not.toMatch(/x-api-key|stacktrace|exception|ECONN|127\.0\.0\.1|Did you mean/i);
      for (const other of this.outcomes) {
        if (other !== mine && other.token !== undefined && other.token !== mine.token) {
          expect(mine.text).not.toContain(other.token);
        }
      }
    }
  }
}

/** Sockets this process holds open (both ends of loopback connections count). */
export function openSockets(): number {
  // Undocumented but stable since Node 0.x: the only count of open sockets a process can take of itself.
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((handle) => handle instanceof net.Socket).length;
}

/**
 * Resolves once at most `baseline` sockets are open, or fails with the count after `timeoutMs`. Keep
 * it under 5 s, Node's keep-alive timeout, or idle connections left behind would close by themselves.
 */
export async function expectSocketsBackTo(baseline: number, timeoutMs = 2000): Promise<void> {
  await eventually(() => openSockets() <= baseline, timeoutMs);
  expect(openSockets()).toBeLessThanOrEqual(baseline);
}
