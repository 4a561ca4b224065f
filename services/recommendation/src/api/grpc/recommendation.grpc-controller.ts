/**
 * Request-response over gRPC (docs/patterns/02-request-response.md): the gateway asks for a user's
 * recommendations while it composes a page, with a deadline and behind its breaker, through the one contract
 * in proto/shop/recommendation/v1/recommendation.proto.
 */
import { Controller } from '@nestjs/common';
import { GrpcMethod, Payload } from '@nestjs/microservices';
import { recommendationV1 } from '@shop/contracts';
import { ZodPipe } from '@shop/platform';
import { z } from 'zod';
import { GetRecommendationsHandler } from '../../application/queries/get-recommendations.query';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../domain/ranking';

const getRecommendationsRequest = z.strictObject({
  userId: z.guid().transform((value) => value.toLowerCase()),
  /** proto3 sends 0 for "not set": that means the default. */
  limit: z
    .int()
    .min(0)
    .max(MAX_LIMIT)
    .transform((limit) => limit || DEFAULT_LIMIT),
});

/** shop.recommendation.v1.RecommendationService: validates the request, runs the query, maps the answer. */
@Controller()
export class RecommendationGrpcController {
  constructor(private readonly getRecommendations: GetRecommendationsHandler) {}

  @GrpcMethod('RecommendationService', 'GetRecommendations')
  async get(
    @Payload(new ZodPipe(getRecommendationsRequest, 'GetRecommendations request')) request: z.infer<typeof getRecommendationsRequest>,
  ): Promise<recommendationV1.GetRecommendationsResponse> {
    const answer = await this.getRecommendations.execute(request);
    return { items: answer.items.map(({ productId, score }) => ({ productId, score })), strategy: answer.strategy };
  }
}
