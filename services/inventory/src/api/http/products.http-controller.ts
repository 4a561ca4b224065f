import { Controller, Get, Param } from '@nestjs/common';
import { ZodPipe } from '@shop/platform';
import { z } from 'zod';
import { GetProductHandler } from '../../application/queries/get-product.query';
import { ListProductsHandler } from '../../application/queries/list-products.query';

export interface ProductBody {
  readonly id: string;
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
  readonly available: number;
}

export interface ProductDetailsBody extends ProductBody {
  readonly description: string;
}

/** The catalog over REST, behind the gateway's `/api/products`. */
@Controller('products')
export class ProductsHttpController {
  constructor(
    private readonly listProducts: ListProductsHandler,
    private readonly getProduct: GetProductHandler,
  ) {}

  @Get()
  async list(): Promise<ProductBody[]> {
    const products = await this.listProducts.execute();
    return products.map(({ id, sku, name, priceCents, available }) => ({ id, sku, name, priceCents, available }));
  }

  @Get(':id')
  async get(@Param('id', new ZodPipe(z.uuid(), 'product id')) productId: string): Promise<ProductDetailsBody> {
    // UUIDs are case-insensitive; the catalog's ids are lower case (GetProducts over gRPC does the same).
    const { id, sku, name, description, priceCents, available } = await this.getProduct.execute({ productId: productId.toLowerCase() });
    return { id, sku, name, description, priceCents, available };
  }
}
