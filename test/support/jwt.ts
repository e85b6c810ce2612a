import { SignJWT, type JWTPayload, type CryptoKey, type KeyObject } from 'jose';
import { systemClock, type Clock } from '../../src/infra/clock';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuv';
export const testSecretKey = new TextEncoder().encode(TEST_JWT_SECRET);

export interface SignOptions {
  readonly key?: Uint8Array | CryptoKey | KeyObject;
  readonly alg?: string;
  readonly kid?: string;
  readonly typ?: string;
  /** Seconds from now; negative for an expired token. Omit `exp` entirely with `null`. */
  readonly expiresIn?: number | null;
  readonly notBefore?: number;
  /** Whose time `iat`, `exp` and `nbf` count from: the gateway's, when a test moves it. */
  readonly clock?: Pick<Clock, 'now'>;
}

/** Signs a token as the company's identity provider would (HS256 with the test secret by default). */
export async function signTestJwt(claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const now = Math.floor((options.clock ?? systemClock).now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({
      alg: options.alg ?? 'HS256',
      typ: options.typ ?? 'JWT',
      ...(options.kid !== undefined && { kid: options.kid }),
    })
    .setIssuedAt(now);
  if (options.expiresIn !== null) jwt.setExpirationTime(now + (options.expiresIn ?? 600));
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(options.key ?? testSecretKey);
}

/** An unsigned `alg: none` token, which must never be accepted. */
export function unsecuredJwt(claims: JWTPayload): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ exp: Math.floor(Date.now() / 1000) + 600, ...claims })}.`;
}
