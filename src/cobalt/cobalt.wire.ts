import { z } from 'zod';

/**
 * Cobalt's wire formats (snake_case lives here only). Both generations of the session-token answer are
 * accepted: legacy `{ token }` and current `{ token, refresh_token, expires_in, refresh_expires_in }`
 * (docs/cobalt-contract.md#minting-a-session-token). Unknown fields are ignored so additive changes on
 * Cobalt's side do not break us.
 */
export const sessionTokenResponseSchema = z.object({
  token: z.string().min(1).max(16_384),
  expires_in: z.number().int().positive().optional(),
  refresh_token: z.string().optional(),
  refresh_expires_in: z.number().int().optional(),
});
export type SessionTokenResponseWire = z.infer<typeof sessionTokenResponseSchema>;

/**
 * `POST /session-token/revoke` answers `{ success: true, revoked_count: 0 | 1 }`
 * (docs/cobalt-contract.md#revoking-a-token).
 */
export const revokeResponseSchema = z.object({ success: z.boolean(), revoked_count: z.number().int().min(0) });

/**
 * Cobalt's error envelope. Three spellings of the internal code exist across its docs (`error`,
 * `error_code`, `error_type`); all optional, parsed tolerantly (docs/cobalt-contract.md#errors).
 */
// Room for Cobalt's longest real message: it quotes the linked account id (up to 256 code points,
// 512 UTF-16 units), the org id and the environment.
const MAX_FIELD_CHARS = 2048;
const MAX_REQUEST_ID_CHARS = 100;

export const errorEnvelopeSchema = z
  .object({
    status_code: z.number().optional(),
    http_error_type: z.string().optional(),
    error: z.string().optional(),
    error_code: z.string().optional(),
    error_type: z.string().optional(),
    message: z.string().optional(),
    request_id: z.string().optional(),
  })
  // Truncated, not refused: an oversized field still leaves a usable envelope, and nothing
  // downstream (regexes, log lines) ever sees more than a short string.
  .transform((e) => ({
    errorCode: (e.error ?? e.error_code ?? e.error_type)?.slice(0, MAX_FIELD_CHARS),
    message: e.message?.slice(0, MAX_FIELD_CHARS),
    requestId: e.request_id?.slice(0, MAX_REQUEST_ID_CHARS),
  }));
export type CobaltErrorBody = z.infer<typeof errorEnvelopeSchema>;

export function parseErrorBody(text: string): CobaltErrorBody | undefined {
  try {
    const parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const isoDate = z.string().max(64);

/**
 * The linked-account object (docs/cobalt-contract.md#linked-accounts). `udf` goes out as a map and comes
 * back as an array of `{ key_name, key_value }`; `account_id` is our linked_account_id, renamed.
 */
export const linkedAccountSchema = z.object({
  account_id: z.string().min(1).max(1024),
  environment: z.string().max(64).optional(),
  name: z.string().max(1024).nullish(),
  udf: z
    .array(z.object({ key_name: z.string().max(1024), key_value: z.unknown() }))
    .max(1000)
    .nullish(),
  createdAt: isoDate.optional(),
  updatedAt: isoDate.optional(),
  new_account: z.boolean().optional(),
});
export type LinkedAccountWire = z.infer<typeof linkedAccountSchema>;

/**
 * One application, the union of Cobalt's samples (docs/cobalt-contract.md#applications-and-connect-urls).
 * `identifier` of a connected account is a string or an object depending on the app; optional fields
 * are optional because the samples disagree on which are present.
 */
export const applicationSchema = z.object({
  slug: z.string().min(1).max(256),
  name: z.string().max(1024),
  icon: z.string().max(200_000).nullish(),
  description: z.string().max(10_000).nullish(),
  auth_type: z.string().max(64).nullish(),
  connected: z.boolean().nullish(),
  reauth_required: z.boolean().nullish(),
  connected_accounts: z
    .array(
      z.object({
        identifier: z.union([z.string().max(1024), z.record(z.string(), z.unknown())]).nullish(),
        status: z.string().max(64).nullish(),
        connectedAt: isoDate.nullish(),
      }),
    )
    .max(1000)
    .nullish(),
});
export type ApplicationWire = z.infer<typeof applicationSchema>;
export const applicationListSchema = z.array(applicationSchema).max(10_000);

/**
 * `POST /connect-url` (docs/cobalt-contract.md#applications-and-connect-urls): the hosted portal URL,
 * which embeds the session token.
 */
export const connectUrlResponseSchema = z.object({ hosted_url: z.url({ protocol: /^https?$/ }).max(20_000) });
