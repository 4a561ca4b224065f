import { Inject, Injectable } from '@nestjs/common';
import { ProductNotFoundError } from '../../domain/inventory-errors';
import { PRODUCT_CATALOG, type ProductCatalog, type ProductDetails } from '../ports/product-catalog.port';

export interface GetProductQuery {
  readonly productId: string;
}

/** One product with its description; an unknown id is PRODUCT.NOT_FOUND. */
@Injectable()
export class GetProductHandler {
  constructor(@Inject(PRODUCT_CATALOG) private readonly catalog: ProductCatalog) {}

  async execute(query: GetProductQuery): Promise<ProductDetails> {
    const product = await this.catalog.get(query.productId);
    if (!product) throw new ProductNotFoundError(query.productId);
    return product;
  }
}
