import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

export const DEV_LINKED_ACCOUNT_ID = 'demo-user';
const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

/** A fresh HS256 key for the embedded default; it lives only as long as the process. */
export function generateDevSecret(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/** Signs the bearer token the start-up banner prints, standing in for the company's identity provider. */
export async function signDevToken(secret: Uint8Array, linkedAccountId = DEV_LINKED_ACCOUNT_ID): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(linkedAccountId)
    .setIssuedAt()
    .setExpirationTime(`${DEV_TOKEN_TTL_SECONDS}s`)
    .sign(secret);
}
