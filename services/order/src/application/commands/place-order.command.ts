/**
 * PlaceOrder: the write side of CQRS (docs/patterns/08-cqrs.md). Prices the order from inventory's catalog (a price sent
 * by a client is never read), stores it PENDING with its order.placed event (outbox) and, for orchestrated orders, the
 * saga that will complete it. Idempotency-Key handling follows the IETF httpapi idempotency-key draft.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@shop/platform';
import { DataSource } from 'typeorm';
import { ORDER_CONFIG, type OrderConfig } from '../../config/order.config';
import { priceOrder, type RequestedItem, type SagaStyle } from '../../domain/order';
import { orderEvents } from '../../infrastructure/messaging/order-events.publisher';
import { IdempotencyRepository } from '../../infrastructure/persistence/idempotency.repository';
import { OrderRepository, type StoredOrder } from '../../infrastructure/persistence/order.repository';
import { SagaRepository } from '../../infrastructure/persistence/saga.repository';
import { InventoryPort } from '../ports/inventory.port';
import { SagaRunner } from '../sagas/saga-runner';

export interface PlacedOrder {
  readonly id: string;
  readonly status: 'PENDING';
  /** True when this answer is the stored answer to an earlier request with the same Idempotency-Key. */
  readonly replayed: boolean;
}

export class PlaceOrderCommand extends Command<PlacedOrder> {
  constructor(
    readonly userId: string,
    readonly items: readonly RequestedItem[],
    readonly sagaStyle: SagaStyle | undefined,
    readonly idempotencyKey: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super();
  }
}

/** A claimed key whose request never finished is taken over after this long. */
const ABANDONED_KEY_MS = 60_000;

@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand, PlacedOrder> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly sagas: SagaRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly inventory: InventoryPort,
    private readonly runner: SagaRunner,
    @Inject(ORDER_CONFIG) private readonly config: OrderConfig,
  ) {}

  async execute(command: PlaceOrderCommand): Promise<PlacedOrder> {
    const key = command.idempotencyKey;
    if (key) {
      const replay = await this.claimKey(command.userId, key, fingerprint(command));
      if (replay) return replay;
    }
    try {
      const order = await this.create(command);
      if (order.sagaStyle === 'orchestration') this.runner.kick(order.id);
      return { id: order.id, status: 'PENDING', replayed: false };
    } catch (error) {
      if (key) await this.idempotency.release(command.userId, key);
      throw error;
    }
  }

  private async claimKey(userId: string, key: string, hash: string): Promise<PlacedOrder | undefined> {
    const claim = await this.idempotency.claim(userId, key, hash);
    if (claim.kind === 'claimed') return undefined;
    if (claim.requestHash !== hash) {
      throw new DomainError('ORDER.IDEMPOTENCY_KEY_REUSED', 'unprocessable', 'This Idempotency-Key was already used with a different request body');
    }
    if (claim.orderId) return { id: claim.orderId, status: 'PENDING', replayed: true };
    if (claim.ageMs > ABANDONED_KEY_MS && (await this.idempotency.takeOver(userId, key, ABANDONED_KEY_MS))) return undefined;
    throw new DomainError('ORDER.REQUEST_IN_PROGRESS', 'conflict', 'A request with this Idempotency-Key is still being processed');
  }

  private async create(command: PlaceOrderCommand): Promise<StoredOrder> {
    const catalog = await this.inventory.prices([...new Set(command.items.map((item) => item.productId))], command.requestId);
    const { lines, totalCents } = priceOrder(command.items, catalog);
    const now = new Date();
    const order: StoredOrder = {
      id: randomUUID(),
      userId: command.userId,
      status: 'PENDING',
      sagaStyle: command.sagaStyle ?? this.config.ORDER_DEFAULT_SAGA_STYLE,
      reason: null,
      totalCents,
      lines,
      createdAt: now,
      deadlineAt: new Date(now.getTime() + this.config.ORDER_SAGA_DEADLINE_MS),
    };
    await this.dataSource.transaction(async (manager) => {
      await this.orders.insert(manager, order);
      if (order.sagaStyle === 'orchestration') await this.sagas.create(manager, order.id, 'place-order', order.deadlineAt);
      await orderEvents.placed(manager, order, command.requestId ?? null);
      if (command.idempotencyKey) await this.idempotency.complete(manager, command.userId, command.idempotencyKey, order.id);
    });
    return order;
  }
}

/** The request's fingerprint: the same key with a different body is refused. */
function fingerprint(command: PlaceOrderCommand): string {
  return createHash('sha256')
    .update(JSON.stringify({ items: command.items.map((i) => [i.productId, i.quantity]), saga: command.sagaStyle ?? null }))
    .digest('hex');
}
