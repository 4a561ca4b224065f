import { resolve } from 'node:path';

/**
 * gRPC contracts: the .proto files in /proto are the only source; the TypeScript below is generated from
 * them (`nx run contracts:generate`) and never edited by hand.
 */
export * as userV1 from './generated/shop/user/v1/user.js';
export * as inventoryV1 from './generated/shop/inventory/v1/inventory.js';
export * as paymentV1 from './generated/shop/payment/v1/payment.js';
export * as orderV1 from './generated/shop/order/v1/order.js';
export * as recommendationV1 from './generated/shop/recommendation/v1/recommendation.js';

/** Root folder of the .proto files, for servers that load them at run time (the same files, in dev and in images). */
export const PROTO_ROOT = process.env.PROTO_ROOT ?? resolve(__dirname, '../../../proto');

/** The services that serve gRPC, each with one package `shop.<service>.v1` in proto/shop/<service>/v1/<service>.proto. */
export type GrpcService = 'user' | 'inventory' | 'payment' | 'order' | 'recommendation';

export const protoPath = (service: GrpcService): string => resolve(PROTO_ROOT, `shop/${service}/v1/${service}.proto`);

/** What a gRPC server of `service` listening on `url` (host:port) loads: the `grpc` option of startService. */
export const grpcServerOf = (service: GrpcService, url: string): { url: string; packages: string[]; protoPaths: string[]; protoRoot: string } => ({
  url,
  packages: [`shop.${service}.v1`],
  protoPaths: [protoPath(service)],
  protoRoot: PROTO_ROOT,
});

/** Pages of payment's GetHistory: the events in a page unless the caller asks for another number, and the most it may. */
export const WALLET_HISTORY_PAGE = { default: 100, max: 500 } as const;
