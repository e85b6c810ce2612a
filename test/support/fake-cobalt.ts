import type { CobaltLinkedAccount, LinkedAccountProfile } from '../../src/cobalt/linked-account';
import type { CobaltSessionToken } from '../../src/cobalt/session-token';
import { ErrorCode } from '../../src/errors/error-code';
import { GatewayError } from '../../src/errors/gateway-error';
import type { Clock } from '../../src/infra/clock';

export const HOUR = 3_600_000;

/** One scripted answer to a mint: a token, or a throw. */
export type MintAnswer = (linkedAccountId: string, forceRefresh: boolean) => CobaltSessionToken;

/**
 * Cobalt's session-token and linked-account operations, in memory, for unit tests of the services
 * above it. Every call is recorded; mints answer a freshly issued token unless the test scripted
 * another answer; accounts in `unknown` are refused as Cobalt refuses them until they are upserted.
 */
export class FakeCobalt {
  readonly mints: { linkedAccountId: string; forceRefresh: boolean }[] = [];
  readonly upserts: { linkedAccountId: string; profile: LinkedAccountProfile }[] = [];
  readonly revoked: string[] = [];
  /** Accounts Cobalt has never heard of. */
  readonly unknown = new Set<string>();
  /** Thrown by the next upserts and revokes, when set. */
  upsertError: Error | undefined;
  revokeError: Error | undefined;
  readonly #answers: MintAnswer[] = [];
  #gate: Promise<void> | undefined;
  #issued = 0;

  constructor(
    private readonly clock: Clock,
    private readonly lifetimeMs = 72 * HOUR,
  ) {}

  /** The next mints answer these, in order; after them, freshly issued tokens again. */
  answer(...answers: MintAnswer[]): void {
    this.#answers.push(...answers);
  }

  /** Holds every call (recorded at once, answered later) until the returned function is called. */
  hold(): () => void {
    let release: () => void = () => undefined;
    this.#gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  /** A token as Cobalt issues it; `issuedAgoMs` makes it one Cobalt issued earlier and now reuses. */
  issue(linkedAccountId: string, options: { lifetimeMs?: number; issuedAgoMs?: number } = {}): CobaltSessionToken {
    this.#issued += 1;
    const issuedAt = this.clock.now() - (options.issuedAgoMs ?? 0);
    return {
      token: `session-token-${this.#issued}`,
      linkedAccountId,
      issuedAt: new Date(issuedAt),
      expiresAt: new Date(issuedAt + (options.lifetimeMs ?? this.lifetimeMs)),
    };
  }

  async createSessionToken(
    linkedAccountId: string,
    options: { forceRefresh?: boolean } = {},
  ): Promise<CobaltSessionToken> {
    const forceRefresh = options.forceRefresh === true;
    this.mints.push({ linkedAccountId, forceRefresh });
    await this.#gate;
    if (this.unknown.has(linkedAccountId)) throw new GatewayError(ErrorCode.LINKED_ACCOUNT_NOT_FOUND);
    const answer = this.#answers.shift();
    return answer === undefined ? this.issue(linkedAccountId) : answer(linkedAccountId, forceRefresh);
  }

  async upsertLinkedAccount(linkedAccountId: string, profile: LinkedAccountProfile): Promise<CobaltLinkedAccount> {
    this.upserts.push({ linkedAccountId, profile });
    await this.#gate;
    if (this.upsertError !== undefined) throw this.upsertError;
    this.unknown.delete(linkedAccountId);
    return {
      accountId: linkedAccountId,
      name: profile.name ?? null,
      environment: 'test',
      udf: Object.entries(profile.udf ?? {}).map(([key, value]) => ({ key, value })),
      createdAt: new Date(this.clock.now()),
      newAccount: true,
    };
  }

  async revokeSessionToken(token: string): Promise<boolean> {
    this.revoked.push(token);
    await this.#gate;
    if (this.revokeError !== undefined) throw this.revokeError;
    return true;
  }
}

/** An answer that fails the mint with `code`. */
export const failWith =
  (code: ErrorCode, retryAfterSeconds?: number): MintAnswer =>
  () => {
    throw new GatewayError(code, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
  };
