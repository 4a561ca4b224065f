import { Inject, Injectable } from '@nestjs/common';
import { coPurchasePairs, distinctProducts } from '../../domain/purchase';
import {
  RECOMMENDATION_MODEL_WRITER,
  type RecommendationModelWriter,
  type RecordOutcome,
  type SourceMessage,
} from '../ports/recommendation-model.port';

export interface RecordPurchaseCommand {
  readonly message: SourceMessage;
  readonly orderId: string;
  readonly userId: string;
  readonly items: ReadonlyArray<{ readonly productId: string }>;
}

/**
 * A confirmed order: the user bought these products, each became a little more popular, and every two of them
 * were bought together once more. Idempotent per message and per order.
 */
@Injectable()
export class RecordPurchaseHandler {
  constructor(@Inject(RECOMMENDATION_MODEL_WRITER) private readonly model: RecommendationModelWriter) {}

  execute(command: RecordPurchaseCommand): Promise<RecordOutcome> {
    const productIds = distinctProducts(command.items);
    return this.model.recordPurchase(command.message, {
      orderId: command.orderId,
      userId: command.userId,
      productIds,
      pairs: coPurchasePairs(productIds),
    });
  }
}
