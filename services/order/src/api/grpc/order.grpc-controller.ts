import { Controller } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GrpcMethod } from '@nestjs/microservices';
import { z } from 'zod';
import { type orderV1 } from '@shop/contracts';
import { parseOrThrow } from '@shop/platform';
import { ListOrdersQuery } from '../../application/queries/list-orders.query';

const listOrders = z.object({ userId: z.uuid(), limit: z.number().int().min(0).max(100) });

/** Read-side gRPC (the gateway's dashboard), answered from the read model. */
@Controller()
export class OrderGrpcController {
  constructor(private readonly queries: QueryBus) {}

  @GrpcMethod('OrderService', 'ListOrders')
  async listOrders(request: orderV1.ListOrdersRequest): Promise<orderV1.ListOrdersResponse> {
    const { userId, limit } = parseOrThrow(listOrders, request);
    const orders = await this.queries.execute(new ListOrdersQuery(userId, limit || 10));
    return { orders: orders.map((o) => ({ id: o.id, status: o.status, totalCents: o.totalCents, createdAt: o.createdAt })) };
  }
}
