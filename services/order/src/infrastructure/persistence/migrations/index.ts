import { InboxHandledAt1764330000000 } from '@shop/messaging';
import { Init1764280000000 } from './1764280000000-init.migration';
import { OrdersWriteAndReadModels1764300000000 } from './1764300000000-orders-write-and-read-models.migration';
import { StockReservedAt1764310000000 } from './1764310000000-stock-reserved.migration';
import { SagaLeaseOwner1764320000000 } from './1764320000000-saga-lease-owner.migration';
import { DeferredOrderEvents1764341000000 } from './1764341000000-deferred-order-events.migration';

/** Every migration of the order service, in order. The schema comes only from these, never from `synchronize`. */
export const orderMigrations = [
  Init1764280000000,
  OrdersWriteAndReadModels1764300000000,
  StockReservedAt1764310000000,
  SagaLeaseOwner1764320000000,
  InboxHandledAt1764330000000,
  DeferredOrderEvents1764341000000,
];
