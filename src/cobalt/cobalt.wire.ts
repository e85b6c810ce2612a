import { z } from 'zod';

/**
 * Cobalt's wire formats (snake_case lives here only). Both generations of the session-token answer are
 * accepted: legacy `{ token }` and current `{ token, refresh_token, expires_in, refresh_expires_in }`
 * (cobalt-api.md §2.2). Unknown fields are ignored so additive changes on Cobalt's side do not break us.
 */
export const sessionTokenResponseSchema = z.object({
  token: z.string().min(1).max(16_384),
  expires_in: z.number().int().positive().optional(),
  refresh_token: z.string().optional(),
  refresh_expires_in: z.number().int().optional(),
});
export type SessionTokenResponseWire = z.infer<typeof sessionTokenResponseSchema>;

/** `POST /session-token/revoke` answers `{ success: true, revoked_count: 0 | 1 }` (cobalt-api.md §3). */
export const revokeResponseSchema = z.object({ success: z.boolean(), revoked_count: z.number().int().min(0) });

/**
 * Cobalt's error envelope. Three spellings of the internal code exist across its docs (`error`,
 * `error_code`, `error_type`); all optional, parsed tolerantly (cobalt-api.md §1.4).
 */
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
  .transform((e) => ({
    errorCode: e.error ?? e.error_code ?? e.error_type,
    message: e.message,
    requestId: e.request_id,
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
