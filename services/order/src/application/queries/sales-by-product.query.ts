import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';

export interface ProductSales {
  readonly productId: string;
  readonly name: string;
  readonly units: number;
  readonly revenueCents: number;
  readonly orders: number;
}

/** Analytics view for administrators: confirmed sales per product, best sellers first. */
export class SalesByProductQuery extends Query<ProductSales[]> {}

@QueryHandler(SalesByProductQuery)
export class SalesByProductHandler implements IQueryHandler<SalesByProductQuery, ProductSales[]> {
  constructor(private readonly dataSource: DataSource) {}

  async execute(): Promise<ProductSales[]> {
    const rows: Array<{ product_id: string; product_name: string; units: string; revenue_cents: string; orders: string }> = await this.dataSource.query(
      `SELECT product_id, product_name, units, revenue_cents, orders FROM sales_by_product ORDER BY revenue_cents DESC, product_id`,
    );
    return rows.map((r) => ({ productId: r.product_id, name: r.product_name, units: Number(r.units), revenueCents: Number(r.revenue_cents), orders: Number(r.orders) }));
  }
}
