/**
 * The choreographed saga has no orchestrator, but its orders still have a deadline: this watcher cancels orders
 * still PENDING when it passes. The reason names who stayed silent: INVENTORY_UNAVAILABLE when inventory's
 * reservation had not reached order by then, else PAYMENT_UNAVAILABLE. The order.cancelled event makes inventory
 * release the stock and payment refund (or void) the charge, so a reply that arrives later can never leave money or
 * stock behind.
 */
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { LOGGER, type Logger } from '@shop/platform';
import { DataSource } from 'typeorm';
import { type CancellationReason } from '../../domain/order';
import { OrderRepository } from '../../infrastructure/persistence/order.repository';
import { ChangeOrderStatusCommand } from '../commands/change-order-status.command';
import { sagaDuration, sagaOutcomes } from './saga-runner';

const INTERVAL_MS = 500;

@Injectable()
export class ChoreographyDeadlineWatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly commands: CommandBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, INTERVAL_MS);
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  private async sweep(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    try {
      for (const { id: orderId, createdAt, stockReserved } of await this.orders.overduePending('choreography', 100)) {
        const reason: CancellationReason = stockReserved ? 'PAYMENT_UNAVAILABLE' : 'INVENTORY_UNAVAILABLE';
        const cancelled = await this.commands.execute(new ChangeOrderStatusCommand(orderId, { to: 'CANCELLED', reason }, `deadline:${orderId}`));
        if (cancelled) {
          sagaOutcomes.inc({ style: 'choreography', outcome: 'cancelled', reason });
          sagaDuration.observe({ style: 'choreography', outcome: 'cancelled' }, (Date.now() - createdAt.getTime()) / 1000);
        }
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'deadline sweep failed');
    }
  }
}
