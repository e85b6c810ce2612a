import type { z } from 'zod';
import type { ParseContext } from '../../../../src/config/sections/parse-context';

/** Runs one section's parser over `vars` as the environment, with its defaults, and returns what it built and reported. */
export function parseSection<Vars extends z.ZodObject, Value>(
  schema: Vars,
  parse: (env: z.output<Vars>, context: ParseContext) => Value,
  vars: Record<string, string>,
  production = false,
): { value: Value; problems: string[] } {
  const problems: string[] = [];
  return { value: parse(schema.parse(vars), { production, problems }), problems };
}
