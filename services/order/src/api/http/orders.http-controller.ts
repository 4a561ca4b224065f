import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseOrThrow, ZodPipe } from '@shop/platform';
import { MAX_QUANTITY_PER_LINE } from '../../domain/order';
import { PlaceOrderCommand, type PlacedOrder } from '../../application/commands/place-order.command';
import { GetOrderQuery } from '../../application/queries/get-order.query';
import { ListOrdersQuery } from '../../application/queries/list-orders.query';
import { type OrderView } from '../../application/queries/order-view';
import { type ProductSales, SalesByProductQuery } from '../../application/queries/sales-by-product.query';

const placeOrderBody = z.strictObject({
  items: z
    .array(z.strictObject({ productId: z.uuid(), quantity: z.number().int().min(1).max(MAX_QUANTITY_PER_LINE) }))
    .min(1)
    .max(50),
  saga: z.enum(['orchestration', 'choreography']).optional(),
});

const callerHeaders = z.object({
  // Set by the gateway from the verified token; this service is reachable only from inside the cluster.
  'x-user-id': z.uuid({ message: 'x-user-id header must be a UUID' }),
  'x-request-id': z.string().max(200).optional(),
  'idempotency-key': z.string().min(1).max(255).optional(),
});

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) });

/** Internal REST API of order, reached only through the gateway. Thin: validate, dispatch, map. */
@Controller()
export class OrdersHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('orders')
  @HttpCode(202)
  async place(
    @Body(new ZodPipe(placeOrderBody, 'order')) body: z.infer<typeof placeOrderBody>,
    @Headers() headers: Record<string, string | undefined>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Omit<PlacedOrder, 'replayed'>> {
    const caller = parseOrThrow(callerHeaders, headers, 'headers');
    const placed = await this.commands.execute(new PlaceOrderCommand(caller['x-user-id'], body.items, body.saga, caller['idempotency-key'], caller['x-request-id']));
    if (placed.replayed) void reply.header('idempotent-replayed', 'true');
    return { id: placed.id, status: placed.status };
  }

  @Get('orders/:id')
  get(@Param('id', new ZodPipe(z.uuid(), 'order id')) id: string, @Headers() headers: Record<string, string | undefined>): Promise<OrderView> {
    return this.queries.execute(new GetOrderQuery(parseOrThrow(callerHeaders, headers, 'headers')['x-user-id'], id));
  }

  @Get('orders')
  list(@Query(new ZodPipe(listQuery, 'query')) query: z.infer<typeof listQuery>, @Headers() headers: Record<string, string | undefined>): Promise<OrderView[]> {
    return this.queries.execute(new ListOrdersQuery(parseOrThrow(callerHeaders, headers, 'headers')['x-user-id'], query.limit));
  }

  /** Analytics for administrators (the gateway decides who may call it). */
  @Get('admin/sales-by-product')
  sales(): Promise<ProductSales[]> {
    return this.queries.execute(new SalesByProductQuery());
  }
}
