import { Inject, Injectable } from '@nestjs/common';
import {
  RECOMMENDATION_MODEL_WRITER,
  type RecommendationModelWriter,
  type RecordOutcome,
  type SourceMessage,
} from '../ports/recommendation-model.port';

export interface RecordProductViewCommand {
  readonly message: SourceMessage;
  readonly productId: string;
  /** Anonymous views count as much as signed-in ones: popularity is the same for everyone. */
  readonly userId: string | null;
}

/** Someone looked at a product: its view count grows by one. Idempotent per message. */
@Injectable()
export class RecordProductViewHandler {
  constructor(@Inject(RECOMMENDATION_MODEL_WRITER) private readonly model: RecommendationModelWriter) {}

  execute(command: RecordProductViewCommand): Promise<RecordOutcome> {
    return this.model.recordView(command.message, { productId: command.productId });
  }
}
