import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ORDER_VIEW_COLUMNS, type OrderView, type OrderViewRow, toOrderView } from './order-view';

/** The caller's orders, newest first, from the read model. */
export class ListOrdersQuery extends Query<OrderView[]> {
  constructor(
    readonly userId: string,
    readonly limit: number,
  ) {
    super();
  }
}

@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery, OrderView[]> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ userId, limit }: ListOrdersQuery): Promise<OrderView[]> {
    const rows: OrderViewRow[] = await this.dataSource.query(
      `SELECT ${ORDER_VIEW_COLUMNS} FROM order_views WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [userId, limit],
    );
    return rows.map(toOrderView);
  }
}
