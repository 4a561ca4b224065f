import { type PurchaseRecord, type RecommendationModelWriter, type SourceMessage } from '../ports/recommendation-model.port';
import { RecordPurchaseHandler } from './record-purchase.command';

/** Remembers what it was asked to record; in-memory, for unit specs only. */
class RecordingModel implements RecommendationModelWriter {
  readonly purchases: Array<{ message: SourceMessage; purchase: PurchaseRecord }> = [];
  async recordPurchase(message: SourceMessage, purchase: PurchaseRecord): Promise<'recorded'> {
    this.purchases.push({ message, purchase });
    return 'recorded';
  }
  async recordView(): Promise<'recorded'> {
    return 'recorded';
  }
}

describe('RecordPurchaseHandler', () => {
  it('records the distinct products of the order, sorted, with every pair both ways', async () => {
    const model = new RecordingModel();
    const message = { id: 'm-1', type: 'order.confirmed.v1' };
    const outcome = await new RecordPurchaseHandler(model).execute({
      message,
      orderId: 'o-1',
      userId: 'u-1',
      items: [{ productId: 'b' }, { productId: 'a' }, { productId: 'b' }],
    });
    expect(outcome).toBe('recorded');
    expect(model.purchases).toEqual([
      {
        message,
        purchase: {
          orderId: 'o-1',
          userId: 'u-1',
          productIds: ['a', 'b'],
          pairs: [
            { productId: 'a', otherProductId: 'b' },
            { productId: 'b', otherProductId: 'a' },
          ],
        },
      },
    ]);
  });
});
