import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the user service. */
export const userConfigSchema = z.object({
  USER_HTTP_PORT: env.port().default(3001),
  USER_GRPC_PORT: env.port().default(50051),
  USER_DATABASE_URL: env.url('postgres', 'postgresql'),
  LOG_LEVEL: env.logLevel(),
});

export type UserConfig = z.infer<typeof userConfigSchema>;

export const loadUserConfig = (source: NodeJS.ProcessEnv = process.env): UserConfig => loadConfig(userConfigSchema, source);
