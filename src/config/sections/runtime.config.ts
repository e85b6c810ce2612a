import { z } from 'zod';

/** Read as they are: `nodeEnv` and `logLevel` sit at the top of `Config`. */
export const runtimeEnv = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe('`production` requires a real Cobalt key and an auth method, and turns introspection off.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level. Secrets are redacted at every level.'),
});

type RuntimeEnv = z.output<typeof runtimeEnv>;

export type NodeEnv = RuntimeEnv['NODE_ENV'];
export type LogLevel = RuntimeEnv['LOG_LEVEL'];
