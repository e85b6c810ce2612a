import { hash, webcrypto } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config/load-config';
import { systemClock, type Clock } from '../infra/clock';
import { annotateActiveSpan } from '../observability/tracing';
import { createJwksKeySet, isFetchFailure, type JwksKeySetOptions } from './jwks-key-set';
import { checkLinkedAccountId } from './linked-account-id';
import { readProfileClaims } from './profile-claims';
import type { Viewer } from './viewer';

/** Why a token was refused. Logged (never the token), not sent to the client. */
export type AuthFailureReason =
  | 'malformed-header'
  | 'token-too-large'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'algorithm-not-allowed'
  | 'claim-mismatch'
  | 'missing-claim'
  | 'invalid-linked-account-id'
  | 'no-matching-key'
  | 'jwks-unavailable'
  | 'invalid-token';

export type VerifyResult =
  { readonly ok: true; readonly viewer: Viewer } | { readonly ok: false; readonly reason: AuthFailureReason };

export interface JwtVerifier {
  verify(authorizationHeader: string): Promise<VerifyResult>;
}

// Capped before parsing, so an oversized header costs no decoding; real access tokens are well under this.
const MAX_TOKEN_LENGTH = 4096;
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
// Verified tokens are remembered (by hash, until their own exp) because a signature check through
// WebCrypto is the largest CPU cost of a cached mint (see the README's benchmark section).
const VERIFIED_CACHE_ENTRIES = 10_000;

type AuthSettings = Config['auth'];

function reasonFor(error: unknown): AuthFailureReason {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'not-yet-valid';
    return error.reason === 'missing' ? 'missing-claim' : 'claim-mismatch';
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm-not-allowed';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad-signature';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no-matching-key';
  if (isFetchFailure(error)) return 'jwks-unavailable';
  return 'invalid-token';
}

/**
 * The HMAC secret as WebCrypto keys, imported once per algorithm. Given raw bytes, jose imports a
 * key on every verification, which was a good part of a first request's CPU. jose checks the
 * header's `alg` against the allowlist before it asks for a key, so only allowed HS algorithms get here.
 */
function hmacKeys(secret: Uint8Array): JWTVerifyGetKey {
  const keys = new Map<string, Promise<webcrypto.CryptoKey>>();
  return ({ alg }) => {
    let imported = keys.get(alg);
    if (imported === undefined) {
      const hash = /^HS(256|384|512)$/.exec(alg)?.[1];
      if (hash === undefined) return Promise.reject(new joseErrors.JOSEAlgNotAllowed(`${alg} needs a public key`));
      imported = webcrypto.subtle.importKey(
        'raw',
        new Uint8Array(secret),
        { name: 'HMAC', hash: `SHA-${hash}` },
        false,
        ['verify'],
      );
      keys.set(alg, imported);
    }
    return imported;
  };
}

export interface JwtVerifierOptions extends Pick<JwksKeySetOptions, 'onStaleUse' | 'onOutageChange'> {
  /**
   * Decides `exp`/`nbf`, the expiry of remembered tokens and the JWKS key set's timing.
   * @default systemClock
   */
  readonly clock?: Clock;
}

/**
 * Verifies the company identity provider's bearer tokens with jose. jose checks only what it is asked
 * to (a token without `exp` passes unless `exp` is required; issuer and audience only when given), so
 * the algorithm allowlist is always explicit, `exp` is required, and issuer/audience are enforced
 * whenever configured.
 */
export function createJwtVerifier(
  settings: AuthSettings,
  secretOverride?: Uint8Array,
  options: JwtVerifierOptions = {},
): JwtVerifier {
  const clock = options.clock ?? systemClock;
  let key: JWTVerifyGetKey;
  let algorithms: string[];
  if (settings.kind === 'secret') {
    algorithms = [...settings.algorithms];
    key = hmacKeys(new TextEncoder().encode(settings.secret.reveal()));
  } else if (settings.kind === 'jwks') {
    key = createJwksKeySet(new URL(settings.jwksUrl), {
      cacheMaxAgeMs: settings.cacheMaxAgeS * 1000,
      maxStaleMs: settings.maxStaleS * 1000,
      clock,
      ...(options.onStaleUse !== undefined && { onStaleUse: options.onStaleUse }),
      ...(options.onOutageChange !== undefined && { onOutageChange: options.onOutageChange }),
    });
    algorithms = [...settings.algorithms];
  } else if (secretOverride !== undefined) {
    key = hmacKeys(secretOverride);
    algorithms = ['HS256'];
  } else {
    throw new Error('createJwtVerifier: a dev-generated auth config needs the generated secret');
  }

  const verifyOptions = {
    algorithms,
    clockTolerance: settings.clockToleranceS,
    requiredClaims: ['exp'],
    ...(settings.issuer !== undefined && { issuer: settings.issuer }),
    ...(settings.audience !== undefined && { audience: settings.audience }),
  };

  const verified = new LRUCache<string, { viewer: Viewer; expMs: number }>({ max: VERIFIED_CACHE_ENTRIES });

  return {
    async verify(authorizationHeader) {
      if (authorizationHeader.length > MAX_TOKEN_LENGTH + 7) return { ok: false, reason: 'token-too-large' };
      const match = BEARER.exec(authorizationHeader);
      const token = match?.[1];
      if (token === undefined) return { ok: false, reason: 'malformed-header' };

      // One-shot hash: no Hash object per request (this runs on every request, cache hits included).
      const digest = hash('sha256', token, 'base64url');
      const remembered = verified.get(digest);
      if (remembered !== undefined) {
        annotateActiveSpan('auth.jwt.cached', true);
        if (clock.now() < remembered.expMs + settings.clockToleranceS * 1000)
          return { ok: true, viewer: remembered.viewer };
        verified.delete(digest);
        return { ok: false, reason: 'expired' };
      }

      let payload: Record<string, unknown>;
      try {
        payload = (await jwtVerify(token, key, { ...verifyOptions, currentDate: new Date(clock.now()) })).payload;
      } catch (error) {
        return { ok: false, reason: reasonFor(error) };
      }

      const claim = payload[settings.linkedAccountClaim];
      if (claim === undefined) return { ok: false, reason: 'missing-claim' };
      if (checkLinkedAccountId(claim) !== undefined) return { ok: false, reason: 'invalid-linked-account-id' };
      const subject = typeof payload['sub'] === 'string' ? payload['sub'] : undefined;
      const viewer: Viewer = {
        subject,
        linkedAccountId: claim as string,
        profile: readProfileClaims(payload, settings.profileClaims),
      };
      // `exp` is required by the verify options, so it is a number here.
      verified.set(digest, { viewer, expMs: (payload['exp'] as number) * 1000 });
      return { ok: true, viewer };
    },
  };
}
