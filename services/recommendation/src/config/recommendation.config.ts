import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the recommendation service. */
export const recommendationConfigSchema = z.object({
  RECOMMENDATION_HTTP_PORT: env.port().default(3006),
  RECOMMENDATION_GRPC_PORT: env.port().default(50056),
  RECOMMENDATION_DATABASE_URL: env.url('postgres', 'postgresql'),
  /**
   * Put before the consumer group name (`recommendation`). Empty in every deployment; a spec sets its own, so
   * the app it starts reads the topics in a group of its own instead of taking partitions from a running service.
   */
  RECOMMENDATION_CONSUMER_GROUP_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, ".", "_" and "-"')
    .max(200)
    .default(''),
  KAFKA_BROKERS: env.brokers(),
  LOG_LEVEL: env.logLevel(),
});

export type RecommendationConfig = z.infer<typeof recommendationConfigSchema>;

/** Injection token of the validated configuration. */
export const RECOMMENDATION_CONFIG = Symbol('RECOMMENDATION_CONFIG');

export const loadRecommendationConfig = (source: NodeJS.ProcessEnv = process.env): RecommendationConfig => loadConfig(recommendationConfigSchema, source);
