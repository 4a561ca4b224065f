/** A product as listed: what a shopper or another service needs to show and price it. */
export interface ProductSummary {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  /** Units that can be reserved right now. */
  readonly available: number;
}

export interface ProductDetails extends ProductSummary {
  readonly description: string;
}

/** Read side of the catalog: plain reads outside any transaction. */
export interface ProductCatalog {
  /** Every product, ordered by name. */
  list(): Promise<ProductSummary[]>;
  get(productId: string): Promise<ProductDetails | undefined>;
  /** The known products among `productIds`; unknown ids are simply absent. */
  byIds(productIds: readonly string[]): Promise<ProductSummary[]>;
}

export const PRODUCT_CATALOG = Symbol('PRODUCT_CATALOG');
