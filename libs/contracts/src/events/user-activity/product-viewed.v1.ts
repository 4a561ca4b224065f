import { type Envelope } from '../envelope';

export const PRODUCT_VIEWED_V1 = 'user-activity.product-viewed.v1';
export interface ProductViewedV1Data {
  readonly userId: string | null;
  readonly productId: string;
}
export type ProductViewedV1 = Envelope<typeof PRODUCT_VIEWED_V1, ProductViewedV1Data>;
