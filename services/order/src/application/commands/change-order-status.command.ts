/**
 * Status changes after placement: confirm, cancel (with a reason), mark shipped. Each is a compare-and-set on the
 * write model plus its order.* event in the outbox, in one transaction; a change that is no longer possible (the
 * order moved on) does nothing and reports false, which makes every caller idempotent.
 */
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource, type EntityManager } from 'typeorm';
import { type CancellationReason } from '../../domain/order';
import { orderEvents } from '../../infrastructure/messaging/order-events.publisher';
import { OrderRepository } from '../../infrastructure/persistence/order.repository';

export type StatusChange =
  | { readonly to: 'CONFIRMED' }
  | { readonly to: 'CANCELLED'; readonly reason: CancellationReason }
  | { readonly to: 'SHIPPED'; readonly trackingNumber: string };

export class ChangeOrderStatusCommand extends Command<boolean> {
  constructor(
    readonly orderId: string,
    readonly change: StatusChange,
    /** The message or saga step that caused the change. */
    readonly causationId: string | null,
    /** Run inside this transaction (a consumer's inbox transaction); otherwise in a new one. */
    readonly manager?: EntityManager,
  ) {
    super();
  }
}

@CommandHandler(ChangeOrderStatusCommand)
export class ChangeOrderStatusHandler implements ICommandHandler<ChangeOrderStatusCommand, boolean> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
  ) {}

  execute(command: ChangeOrderStatusCommand): Promise<boolean> {
    return command.manager ? this.apply(command.manager, command) : this.dataSource.transaction((manager) => this.apply(manager, command));
  }

  private async apply(manager: EntityManager, { orderId, change, causationId }: ChangeOrderStatusCommand): Promise<boolean> {
    switch (change.to) {
      case 'CONFIRMED': {
        const order = await this.orders.transition(manager, orderId, 'PENDING', 'CONFIRMED');
        if (order) await orderEvents.confirmed(manager, order, causationId);
        return order !== null;
      }
      case 'CANCELLED': {
        const order = await this.orders.transition(manager, orderId, 'PENDING', 'CANCELLED', change.reason);
        if (order) await orderEvents.cancelled(manager, order, change.reason, causationId);
        return order !== null;
      }
      case 'SHIPPED': {
        const order = await this.orders.transition(manager, orderId, 'CONFIRMED', 'SHIPPED');
        if (order) await orderEvents.shipped(manager, order, change.trackingNumber, causationId);
        return order !== null;
      }
    }
  }
}
