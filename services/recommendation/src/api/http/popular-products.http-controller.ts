import { Controller, Get, Query } from '@nestjs/common';
import { ZodPipe } from '@shop/platform';
import { z } from 'zod';
import { GetPopularProductsHandler } from '../../application/queries/get-popular-products.query';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../domain/ranking';

const popularQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
});

export interface PopularProductBody {
  readonly productId: string;
  readonly score: number;
  readonly purchases: number;
  readonly views: number;
}

/** Diagnostics over REST: the popularity model as it stands, with its raw counts. */
@Controller('recommendations')
export class PopularProductsHttpController {
  constructor(private readonly getPopularProducts: GetPopularProductsHandler) {}

  @Get('popular')
  async popular(@Query(new ZodPipe(popularQuery, 'query')) query: z.infer<typeof popularQuery>): Promise<PopularProductBody[]> {
    const products = await this.getPopularProducts.execute(query);
    return products.map(({ productId, score, purchases, views }) => ({ productId, score, purchases, views }));
  }
}
