import { randomUUID } from 'node:crypto';
import { type INestApplicationContext, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandHandler, CqrsModule, type ICommandHandler } from '@nestjs/cqrs';
import { createLogger, LOGGER } from '@shop/platform';
import { eventually } from '@shop/testing';
import { DataSource } from 'typeorm';
import { ChangeOrderStatusCommand, ChangeOrderStatusHandler } from '../src/application/commands/change-order-status.command';
import { InventoryPort, type ReservationOutcome } from '../src/application/ports/inventory.port';
import { type ChargeOutcome, PaymentPort } from '../src/application/ports/payment.port';
import { SagaRunner } from '../src/application/sagas/saga-runner';
import { type CatalogPrice } from '../src/domain/order';
import { OrderRepository } from '../src/infrastructure/persistence/order.repository';
import { SagaRepository } from '../src/infrastructure/persistence/saga.repository';
import { openOrderDatabase } from './order-database';

/** What the saga asked of inventory and payment, in order. */
const calls: string[] = [];

class RecordingInventory extends InventoryPort {
  prices(): Promise<CatalogPrice[]> {
    return Promise.resolve([]);
  }
  reserve(orderId: string): Promise<ReservationOutcome> {
    calls.push(`reserve ${orderId}`);
    return Promise.resolve('RESERVED');
  }
  release(orderId: string): Promise<void> {
    calls.push(`release ${orderId}`);
    return Promise.resolve();
  }
}

class RecordingPayment extends PaymentPort {
  charge(orderId: string): Promise<ChargeOutcome> {
    calls.push(`charge ${orderId}`);
    return Promise.resolve('CHARGED');
  }
  refund(orderId: string): Promise<void> {
    calls.push(`refund ${orderId}`);
    return Promise.resolve();
  }
}

/**
 * The order's status changes as the app makes them, except that a confirm's caller sees an error after the confirm
 * committed: the reply to COMMIT lost on the way back, the one failure after which the saga cannot know the outcome.
 */
@Injectable()
@CommandHandler(ChangeOrderStatusCommand)
class ConfirmWithLostReply implements ICommandHandler<ChangeOrderStatusCommand, boolean> {
  private readonly real: ChangeOrderStatusHandler;

  constructor(dataSource: DataSource, orders: OrderRepository) {
    this.real = new ChangeOrderStatusHandler(dataSource, orders);
  }

  async execute(command: ChangeOrderStatusCommand): Promise<boolean> {
    const changed = await this.real.execute(command);
    if (command.change.to === 'CONFIRMED') throw new Error('connection lost after COMMIT');
    return changed;
  }
}

/** The orchestrated saga's runner against real PostgreSQL, with scripted inventory and payment. */
describe('saga runner', () => {
  let dataSource: DataSource;
  let closeDatabase: () => Promise<void>;
  let app: INestApplicationContext;

  beforeAll(async () => {
    ({ dataSource, close: closeDatabase } = await openOrderDatabase('order_saga_runner'));
    @Module({
      imports: [CqrsModule.forRoot()],
      providers: [
        { provide: DataSource, useValue: dataSource },
        { provide: LOGGER, useValue: createLogger('order', 'silent') },
        { provide: InventoryPort, useClass: RecordingInventory },
        { provide: PaymentPort, useClass: RecordingPayment },
        OrderRepository,
        SagaRepository,
        ConfirmWithLostReply,
        SagaRunner,
      ],
    })
    class SagaRunnerSpecModule {}
    app = await NestFactory.createApplicationContext(SagaRunnerSpecModule, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await closeDatabase?.();
  });

  it('never compensates an order whose confirm committed although the saga saw it fail past its deadline', async () => {
    // A saga at its last step (stock reserved, wallet charged), past its deadline, due now.
    const orderId = randomUUID();
    await dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO orders (id, user_id, status, total_cents) VALUES ($1, $2, 'PENDING', 1500)`, [orderId, randomUUID()]);
      await app.get(SagaRepository).create(manager, orderId, 'place-order', new Date(Date.now() - 1_000));
      await manager.query(`UPDATE saga_instances SET step_index = 2, next_attempt_at = now() WHERE order_id = $1`, [orderId]);
    });

    const saga = await eventually(
      'the saga done',
      async () => {
        const [row]: Array<{ status: string; reason: string | null }> = await dataSource.query(`SELECT status, reason FROM saga_instances WHERE order_id = $1`, [
          orderId,
        ]);
        return row?.status === 'DONE' ? row : undefined;
      },
      20_000,
    );

    const [order]: Array<{ status: string; reason: string | null }> = await dataSource.query(`SELECT status, reason FROM orders WHERE id = $1`, [orderId]);
    expect(order).toEqual({ status: 'CONFIRMED', reason: null });
    expect(saga).toEqual({ status: 'DONE', reason: null });
    // Neither the stock of a confirmed order given back nor its payment refunded.
    expect(calls.filter((call) => call.endsWith(orderId))).toEqual([]);
    // One event for the order: it was confirmed, and never cancelled.
    const events: Array<{ type: string }> = await dataSource.query(`SELECT envelope->>'type' AS type FROM outbox WHERE message_key = $1 ORDER BY position`, [
      orderId,
    ]);
    expect(events.map((event) => event.type)).toEqual(['order.confirmed.v1']);
  });
});
