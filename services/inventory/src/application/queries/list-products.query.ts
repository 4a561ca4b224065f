import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_CATALOG, type ProductCatalog, type ProductSummary } from '../ports/product-catalog.port';

/** The whole catalog, ordered by name, with the units available right now. */
@Injectable()
export class ListProductsHandler {
  constructor(@Inject(PRODUCT_CATALOG) private readonly catalog: ProductCatalog) {}

  execute(): Promise<ProductSummary[]> {
    return this.catalog.list();
  }
}
