/**
 * The order's part of the choreographed saga (docs/patterns/09-choreography-vs-orchestration.md): no orchestrator;
 * order listens to what inventory and payment announce and decides the order's fate. Each reaction runs once per
 * message (inbox) and is a compare-and-set, so a late or repeated reply changes nothing. A charge that arrives after
 * the order was cancelled is refunded by payment itself, which reacts to order.cancelled.
 */
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  type Envelope,
  INVENTORY_REJECTED_V1,
  INVENTORY_RESERVED_V1,
  PAYMENT_CHARGED_V1,
  PAYMENT_DECLINED_V1,
  SHIPPING_SHIPPED_V1,
  type InventoryRejectedV1Data,
  type InventoryReservedV1Data,
  type PaymentChargedV1Data,
  type PaymentDeclinedV1Data,
  type ShippingShippedV1Data,
} from '@shop/contracts';
import { handleOnce } from '@shop/messaging';
import { DataSource, type EntityManager } from 'typeorm';
import { OrderRepository } from '../../infrastructure/persistence/order.repository';
import { ChangeOrderStatusCommand, type StatusChange } from '../commands/change-order-status.command';
import { sagaDuration, sagaOutcomes } from '../sagas/saga-runner';

@Injectable()
export class OrderSagaEventHandlers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly commands: CommandBus,
  ) {}

  async handle(message: Envelope, consumer: string): Promise<void> {
    switch (message.type) {
      case INVENTORY_RESERVED_V1: {
        // Not a decision, a note for the deadline watcher: the stock is held, so a silence after it is payment's.
        const data = message.data as InventoryReservedV1Data;
        if (data.sagaStyle === 'choreography') await this.orders.markStockReserved(data.orderId);
        return;
      }
      case INVENTORY_REJECTED_V1:
        return this.decide(message, consumer, (message.data as InventoryRejectedV1Data).orderId, { to: 'CANCELLED', reason: 'OUT_OF_STOCK' });
      case PAYMENT_CHARGED_V1:
        return this.decide(message, consumer, (message.data as PaymentChargedV1Data).orderId, { to: 'CONFIRMED' });
      case PAYMENT_DECLINED_V1:
        return this.decide(message, consumer, (message.data as PaymentDeclinedV1Data).orderId, { to: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
      case SHIPPING_SHIPPED_V1: {
        const data = message.data as ShippingShippedV1Data;
        await handleOnce(this.dataSource, consumer, message, async (manager) => {
          await this.commands.execute(new ChangeOrderStatusCommand(data.orderId, { to: 'SHIPPED', trackingNumber: data.trackingNumber }, message.id, manager));
        });
        return;
      }
      default:
        return;
    }
  }

  /** Choreographed orders only: an orchestrated order's fate is decided by its orchestrator. */
  private async decide(message: Envelope, consumer: string, orderId: string, change: StatusChange): Promise<void> {
    await handleOnce(this.dataSource, consumer, message, async (manager: EntityManager) => {
      const order = await this.orders.find(orderId, manager);
      if (!order || order.sagaStyle !== 'choreography') return;
      const changed = await this.commands.execute(new ChangeOrderStatusCommand(orderId, change, message.id, manager));
      if (changed) {
        const outcome = change.to === 'CONFIRMED' ? 'confirmed' : 'cancelled';
        sagaOutcomes.inc({ style: 'choreography', outcome, reason: change.to === 'CANCELLED' ? change.reason : 'none' });
        sagaDuration.observe({ style: 'choreography', outcome }, (Date.now() - order.createdAt.getTime()) / 1000);
      }
    });
  }
}
