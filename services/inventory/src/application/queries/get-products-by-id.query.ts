import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_CATALOG, type ProductCatalog, type ProductSummary } from '../ports/product-catalog.port';

export interface GetProductsByIdQuery {
  readonly productIds: readonly string[];
}

/** The known products among the given ids (order lines, recommendations); unknown ids are simply absent. */
@Injectable()
export class GetProductsByIdHandler {
  constructor(@Inject(PRODUCT_CATALOG) private readonly catalog: ProductCatalog) {}

  async execute(query: GetProductsByIdQuery): Promise<ProductSummary[]> {
    if (query.productIds.length === 0) return [];
    return this.catalog.byIds([...new Set(query.productIds.map((id) => id.toLowerCase()))]);
  }
}
