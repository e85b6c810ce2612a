import { z } from 'zod';
import type { DeepReadonly } from '../deep-freeze';
import { integer } from './env-values';

export const integrationsEnv = z.object({
  INTEGRATIONS_CACHE_TTL_S: integer(0, 3600)
    .default(30)
    .describe(
      "How long a user's integration list from Cobalt is reused (`0`: never); in Redis when one is configured. Mutations clear it.",
    ),
});

export function parseIntegrations(env: z.output<typeof integrationsEnv>) {
  return { cacheTtlS: env.INTEGRATIONS_CACHE_TTL_S };
}

export type IntegrationsConfig = DeepReadonly<ReturnType<typeof parseIntegrations>>;
