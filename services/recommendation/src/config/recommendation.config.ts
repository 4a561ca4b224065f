import { z } from 'zod';
import { env, loadConfig } from '@shop/platform';

/** The only reader of process.env in the recommendation service. */
export const recommendationConfigSchema = z.object({
  RECOMMENDATION_HTTP_PORT: env.port().default(3006),
  RECOMMENDATION_GRPC_PORT: env.port().default(50056),
  RECOMMENDATION_DATABASE_URL: env.url('postgres', 'postgresql'),
  KAFKA_BROKERS: env.brokers(),
  LOG_LEVEL: env.logLevel(),
});

export type RecommendationConfig = z.infer<typeof recommendationConfigSchema>;

export const loadRecommendationConfig = (source: NodeJS.ProcessEnv = process.env): RecommendationConfig => loadConfig(recommendationConfigSchema, source);
