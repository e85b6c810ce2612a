import { decodeJwt } from 'jose';
import type { SessionTokenResponseWire } from './cobalt.wire';

/** A session token as the rest of the gateway sees it. */
export interface CobaltSessionToken {
  readonly token: string;
  readonly expiresAt: Date;
  readonly linkedAccountId: string;
  /** The `iat` claim when the token has one: tells a freshly minted token from one Cobalt reused. */
  readonly issuedAt?: Date;
}

export type ExpiryProblem = 'no-expiry' | 'already-expired' | 'issued-for-another-account';

/**
 * Reads when a token expires. Cobalt's docs say 24 h, its samples last 72 h and newer docs ~7 days
 * (docs/cobalt-contract.md#minting-a-session-token), so nothing is assumed: the JWT's `exp` and the
 * response's `expires_in` are the only sources, and when both are present the earlier wins. A token
 * we cannot date is refused.
 * The signature is Cobalt's (HS256 with its secret): we decode, we cannot verify.
 */
export function readSessionToken(
  wire: SessionTokenResponseWire,
  linkedAccountId: string,
  now: number = Date.now(),
): CobaltSessionToken | ExpiryProblem {
  const candidates: number[] = [];
  let claims: Record<string, unknown> | undefined;
  try {
    claims = decodeJwt(wire.token);
  } catch {
    claims = undefined;
  }
  if (typeof claims?.['exp'] === 'number' && Number.isFinite(claims['exp'])) candidates.push(claims['exp'] * 1000);
  if (wire.expires_in !== undefined) candidates.push(now + wire.expires_in * 1000);
  if (candidates.length === 0) return 'no-expiry';

  const claimedAccount = claims?.['linked_account_id'];
  if (typeof claimedAccount === 'string' && claimedAccount !== linkedAccountId) return 'issued-for-another-account';

  const expiresAt = Math.min(...candidates);
  if (expiresAt <= now) return 'already-expired';
  const iat = claims?.['iat'];
  return {
    token: wire.token,
    expiresAt: new Date(expiresAt),
    linkedAccountId,
    ...(typeof iat === 'number' && Number.isFinite(iat) && { issuedAt: new Date(iat * 1000) }),
  };
}
