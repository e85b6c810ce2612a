import { randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../infra/clock';
import type { ApiKeyOwner, Environment } from './emulator-state';

export interface IssuedToken {
  readonly token: string;
  /** Epoch seconds. */
  readonly iat: number;
  /** Epoch seconds. */
  readonly exp: number;
}

/** Whom a session token was minted for, read back from its claims. */
export interface TokenHolder {
  readonly orgId: string;
  readonly linkedAccountId: string;
  readonly environment: Environment;
}

const keyOf = (environment: Environment, accountId: string): string => `${environment}:${accountId}`;

/**
 * Cobalt's session tokens: HS256 JWTs with Cobalt's claims, signed with a secret only this process
 * knows, one current token per linked account, and a revocation list
 * (docs/cobalt-contract.md#token-reuse-and-force-refresh, #revoking-a-token).
 */
export class EmulatorTokens {
  readonly #secret = randomBytes(32);
  readonly #current = new Map<string, IssuedToken>();
  readonly #revoked = new Set<string>();

  constructor(private readonly clock: Clock) {}

  nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /**
   * The token Cobalt answers a mint with: the account's current one while it is unexpired and not
   * revoked, unless a rotation is forced; otherwise a new one issued at `now` (epoch seconds) and
   * living `ttlSeconds`.
   */
  async mint(
    owner: ApiKeyOwner,
    accountId: string,
    now: number,
    ttlSeconds: number,
    forceRefresh: boolean,
  ): Promise<IssuedToken> {
    const current = this.#current.get(keyOf(owner.environment, accountId));
    if (!forceRefresh && current !== undefined && current.exp > now && !this.#revoked.has(current.token)) {
      return current;
    }
    return this.issue(owner, accountId, now, now + ttlSeconds);
  }

  /** Makes a token with these times the account's current one. */
  async issue(owner: ApiKeyOwner, accountId: string, iat: number, exp: number): Promise<IssuedToken> {
    const token = await new SignJWT({
      org_id: owner.orgId,
      linked_account_id: accountId,
      environment: owner.environment,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.#secret);
    const issued = { token, iat, exp };
    this.#current.set(keyOf(owner.environment, accountId), issued);
    return issued;
  }

  /** Signature, expiry and revocation checked; null for any token Cobalt would refuse. */
  async verify(token: string): Promise<TokenHolder | null> {
    if (this.#revoked.has(token)) return null;
    try {
      const { payload } = await jwtVerify(token, this.#secret, {
        algorithms: ['HS256'],
        currentDate: new Date(this.clock.now()),
      });
      const { org_id: orgId, linked_account_id: linkedAccountId, environment } = payload;
      if (typeof orgId !== 'string' || typeof linkedAccountId !== 'string') return null;
      return { orgId, linkedAccountId, environment: environment === 'production' ? 'production' : 'test' };
    } catch {
      return null;
    }
  }

  revoke(token: string): void {
    this.#revoked.add(token);
  }

  /** Deleting a linked account invalidates the token issued to it. */
  revokeAccount(environment: Environment, accountId: string): void {
    const current = this.#current.get(keyOf(environment, accountId));
    if (current !== undefined) this.#revoked.add(current.token);
    this.#current.delete(keyOf(environment, accountId));
  }

  clear(): void {
    this.#current.clear();
    this.#revoked.clear();
  }
}
