import { z } from 'zod';

/**
 * Configuration comes only from environment variables and is validated once, at start-up.
 * A missing or malformed variable stops the process with a message that names it.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    return value === undefined ? `${name} is required (${issue.message})` : `${name} is invalid: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/** Building blocks for service configuration schemas. */
export const env = {
  port: () => z.coerce.number().int().min(1).max(65535),
  url: (...protocols: string[]) =>
    z.string().refine((value) => {
      try {
        const url = new URL(value);
        return protocols.length === 0 || protocols.includes(url.protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    }, `must be a URL${protocols.length ? ` (${protocols.join(', ')})` : ''}`),
  hostPort: () => z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port'),
  brokers: () =>
    z
      .string()
      .regex(/^[^\s:,]+:\d{1,5}(,[^\s:,]+:\d{1,5})*$/, 'must be a comma-separated list of host:port')
      .transform((value) => value.split(',')),
  positiveInt: () => z.coerce.number().int().positive(),
  boolean: () =>
    z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
