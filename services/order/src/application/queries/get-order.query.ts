import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { OrderNotFoundError } from '../../domain/order';
import { ORDER_VIEW_COLUMNS, type OrderView, type OrderViewRow, toOrderView } from './order-view';

/** Answered from the read model. Someone else's order is "not found", never "forbidden": its existence is not revealed. */
export class GetOrderQuery extends Query<OrderView> {
  constructor(
    readonly userId: string,
    readonly orderId: string,
  ) {
    super();
  }
}

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery, OrderView> {
  constructor(private readonly dataSource: DataSource) {}

  async execute({ userId, orderId }: GetOrderQuery): Promise<OrderView> {
    const [row]: OrderViewRow[] = await this.dataSource.query(`SELECT ${ORDER_VIEW_COLUMNS} FROM order_views WHERE id = $1 AND user_id = $2`, [orderId, userId]);
    if (!row) throw new OrderNotFoundError(orderId);
    return toOrderView(row);
  }
}
