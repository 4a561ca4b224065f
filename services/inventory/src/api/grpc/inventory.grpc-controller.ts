/**
 * Request-response over gRPC (docs/patterns/02-request-response.md): the order saga needs the answer of
 * Reserve, Release and Commit before its next step, so it calls them synchronously, with a deadline, through
 * the one contract in proto/shop/inventory/v1/inventory.proto.
 */
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { inventoryV1 } from '@shop/contracts';
import { parseOrThrow } from '@shop/platform';
import { z } from 'zod';
import { MAX_LINE_QUANTITY, MIN_LINE_QUANTITY, type ReservationStatus } from '../../domain/reservation';
import { CommitStockHandler } from '../../application/commands/commit-stock.command';
import { ReleaseStockHandler } from '../../application/commands/release-stock.command';
import { ReserveStockHandler } from '../../application/commands/reserve-stock.command';
import { GetProductsByIdHandler } from '../../application/queries/get-products-by-id.query';

const getProductsRequest = z.strictObject({ productIds: z.array(z.uuid()).max(1_000) });
const reserveRequest = z.strictObject({
  orderId: z.uuid(),
  items: z
    .array(z.strictObject({ productId: z.uuid(), quantity: z.int().min(MIN_LINE_QUANTITY).max(MAX_LINE_QUANTITY) }))
    .min(1)
    .max(100),
});
const orderRequest = z.strictObject({ orderId: z.uuid() });

const WIRE_STATUS: Readonly<Record<ReservationStatus, inventoryV1.ReservationStatus>> = {
  RESERVED: inventoryV1.ReservationStatus.RESERVATION_STATUS_RESERVED,
  REJECTED: inventoryV1.ReservationStatus.RESERVATION_STATUS_REJECTED,
  RELEASED: inventoryV1.ReservationStatus.RESERVATION_STATUS_RELEASED,
  COMMITTED: inventoryV1.ReservationStatus.RESERVATION_STATUS_COMMITTED,
};

@Controller()
export class InventoryGrpcController {
  constructor(
    private readonly getProductsById: GetProductsByIdHandler,
    private readonly reserveStock: ReserveStockHandler,
    private readonly releaseStock: ReleaseStockHandler,
    private readonly commitStock: CommitStockHandler,
  ) {}

  @GrpcMethod('InventoryService', 'GetProducts')
  async getProducts(request: inventoryV1.GetProductsRequest): Promise<inventoryV1.GetProductsResponse> {
    const query = parseOrThrow(getProductsRequest, request, 'GetProducts request');
    const products = await this.getProductsById.execute(query);
    return {
      products: products.map((product) => ({
        id: product.id,
        sku: product.sku,
        name: product.name,
        priceCents: product.priceCents,
        available: product.available,
      })),
    };
  }

  @GrpcMethod('InventoryService', 'Reserve')
  async reserve(request: inventoryV1.ReserveRequest): Promise<inventoryV1.ReserveResponse> {
    const result = await this.reserveStock.execute(parseOrThrow(reserveRequest, request, 'Reserve request'));
    return { orderId: result.orderId, status: WIRE_STATUS[result.status], unavailableProductIds: [...result.unavailableProductIds] };
  }

  @GrpcMethod('InventoryService', 'Release')
  async release(request: inventoryV1.ReleaseRequest): Promise<inventoryV1.ReleaseResponse> {
    const result = await this.releaseStock.execute(parseOrThrow(orderRequest, request, 'Release request'));
    return { orderId: result.orderId, status: WIRE_STATUS[result.status] };
  }

  @GrpcMethod('InventoryService', 'Commit')
  async commit(request: inventoryV1.CommitRequest): Promise<inventoryV1.CommitResponse> {
    const result = await this.commitStock.execute(parseOrThrow(orderRequest, request, 'Commit request'));
    return { orderId: result.orderId, status: WIRE_STATUS[result.status] };
  }
}
