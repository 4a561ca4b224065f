/**
 * Runs orchestrated sagas (docs/patterns/07-saga.md): one step at a time, persisting the state after each, so a
 * killed order process resumes every unfinished saga when it (or another replica) starts again. A poller picks up
 * sagas that are due (new, retrying after backoff, or abandoned by a dead process whose lease ran out).
 */
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Counter, Histogram } from 'prom-client';
import { LOGGER, type Logger } from '@shop/platform';
import { DataSource } from 'typeorm';
import { type CancellationReason } from '../../domain/order';
import { OrderRepository } from '../../infrastructure/persistence/order.repository';
import { SagaLeaseLostError, SagaRepository } from '../../infrastructure/persistence/saga.repository';
import { ChangeOrderStatusCommand } from '../commands/change-order-status.command';
import { InventoryPort } from '../ports/inventory.port';
import { PaymentPort } from '../ports/payment.port';
import { placeOrderSaga, type PlaceOrderSagaContext } from './place-order.saga';
import { advance, defaultBackoff, type SagaProgress, type SagaState } from './saga';

export const sagaOutcomes = new Counter({
  name: 'shop_saga_outcomes_total',
  help: 'Finished order sagas by style, outcome and reason',
  labelNames: ['style', 'outcome', 'reason'],
});
export const sagaDuration = new Histogram({
  name: 'shop_saga_duration_seconds',
  help: 'Time from order placement to CONFIRMED or CANCELLED, by style',
  labelNames: ['style', 'outcome'],
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});
const compensations = new Counter({ name: 'shop_saga_compensations_total', help: 'Compensating steps run', labelNames: ['step'] });

const POLL_INTERVAL_MS = 250;
const MAX_CONCURRENT = 16;

@Injectable()
export class SagaRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sagas: SagaRepository,
    private readonly orders: OrderRepository,
    private readonly inventory: InventoryPort,
    private readonly payment: PaymentPort,
    private readonly commands: CommandBus,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.poll(), POLL_INTERVAL_MS);
  }

  /** Stops taking sagas and lets the ones in hand reach their next persisted state. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.running.values()]);
  }

  /** Starts the saga of a just-placed order at once instead of waiting for the next poll. */
  kick(orderId: string): void {
    this.start(orderId, true);
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.running.size >= MAX_CONCURRENT || !this.dataSource.isInitialized) return;
    try {
      for (const orderId of await this.sagas.due(MAX_CONCURRENT - this.running.size)) this.start(orderId);
    } catch (error) {
      this.logger.warn({ err: error }, 'saga poll failed');
    }
  }

  private start(orderId: string, justCreated = false): void {
    if (this.stopped || this.running.has(orderId)) return;
    const run = this.run(orderId, justCreated)
      .catch((error: unknown) =>
        error instanceof SagaLeaseLostError
          ? this.logger.warn({ orderId }, 'saga taken over by another run after this run outlived its lease; this run stops')
          : this.logger.error({ err: error, orderId }, 'saga run failed; it will be retried'),
      )
      .finally(() => this.running.delete(orderId));
    this.running.set(orderId, run);
  }

  private async run(orderId: string, justCreated: boolean): Promise<void> {
    const claimed = await this.sagas.claim(orderId, { justCreated });
    if (!claimed) return;
    const { lease, ...claimedState } = claimed;
    let state: SagaState = claimedState;
    const order = await this.orders.find(orderId);
    if (!order) throw new Error(`saga for unknown order ${orderId}`);
    const context: PlaceOrderSagaContext = {
      orderId,
      userId: order.userId,
      totalCents: order.totalCents,
      lines: order.lines,
      inventory: this.inventory,
      payment: this.payment,
      confirm: async (id) => void (await this.commands.execute(new ChangeOrderStatusCommand(id, { to: 'CONFIRMED' }, `saga:${id}:confirm-order`))),
    };
    const timing = { now: () => new Date(), backoffMs: defaultBackoff };
    while (!this.stopped) {
      const before = state;
      const progress: SagaProgress = await advance(placeOrderSaga, state, context, timing);
      state = progress.state;
      if (before.status === 'COMPENSATING' && state.pendingCompensations.length < before.pendingCompensations.length) {
        compensations.inc({ step: placeOrderSaga[before.pendingCompensations[before.pendingCompensations.length - 1]].name });
      }
      if (progress.next === 'retry-later') {
        this.logger.warn({ orderId, attempts: state.attempts, err: progress.error }, 'saga step failed; retrying after backoff');
        await this.sagas.save(orderId, lease, state, { delayMs: progress.delayMs, error: progress.error });
        return;
      }
      if (progress.next === 'finished') {
        await this.finish(orderId, lease, state, progress.outcome, order.createdAt);
        return;
      }
      if (before.status === 'RUNNING' && state.status === 'COMPENSATING') {
        // The outcome is decided: the order is cancelled now, and the compensations run on (retrying until they
        // succeed, e.g. a refund waits for payment to come back) without holding the customer's order PENDING.
        if ((await this.cancel(orderId, lease, state, order.createdAt)) === 'already-confirmed') {
          this.logger.warn({ orderId, reason: state.reason }, 'saga decided to compensate an order that is already confirmed; it is left confirmed');
          recordConfirmed(order.createdAt);
          return;
        }
        continue;
      }
      await this.sagas.save(orderId, lease, state);
    }
  }

  /**
   * Cancels the order with the saga's reason and persists the saga state in the same transaction. An order found
   * CONFIRMED (or already SHIPPED) instead is never compensated: its confirm committed although this run saw it fail
   * (the reply to COMMIT lost), or another run that took over an expired lease confirmed it first. The saga is then
   * done as completed, in the same transaction, and nothing is refunded or released.
   */
  private async cancel(orderId: string, lease: string, state: SagaState, placedAt: Date): Promise<'cancelled' | 'already-cancelled' | 'already-confirmed'> {
    const reason = state.reason as CancellationReason;
    const outcome = await this.dataSource.transaction(async (manager) => {
      const changed = await this.commands.execute(new ChangeOrderStatusCommand(orderId, { to: 'CANCELLED', reason }, `saga:${orderId}:cancel`, manager));
      if (!changed) {
        const status = (await this.orders.find(orderId, manager))?.status;
        if (status === 'CONFIRMED' || status === 'SHIPPED') {
          await this.sagas.save(orderId, lease, { ...state, status: 'DONE', reason: null, pendingCompensations: [], attempts: 0 }, { manager });
          return 'already-confirmed';
        }
      }
      await this.sagas.save(orderId, lease, state, { manager });
      return changed ? 'cancelled' : 'already-cancelled';
    });
    if (outcome === 'cancelled') {
      sagaOutcomes.inc({ style: 'orchestration', outcome: 'cancelled', reason });
      sagaDuration.observe({ style: 'orchestration', outcome: 'cancelled' }, (Date.now() - placedAt.getTime()) / 1000);
    }
    return outcome;
  }

  private async finish(orderId: string, lease: string, state: SagaState, outcome: 'completed' | 'compensated', placedAt: Date): Promise<void> {
    if (outcome === 'compensated') {
      // Cancelled when compensation began; a no-op unless the process died between deciding and cancelling.
      await this.cancel(orderId, lease, state, placedAt);
      return;
    }
    await this.sagas.save(orderId, lease, state);
    recordConfirmed(placedAt);
  }
}

function recordConfirmed(placedAt: Date): void {
  sagaOutcomes.inc({ style: 'orchestration', outcome: 'confirmed', reason: 'none' });
  sagaDuration.observe({ style: 'orchestration', outcome: 'confirmed' }, (Date.now() - placedAt.getTime()) / 1000);
}
