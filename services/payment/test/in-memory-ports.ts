import {
  type AppendRequest,
  ConcurrencyError,
  type EventStore,
  type ReadStreamOptions,
  type RecordedEvent,
} from '../src/application/ports/event-store.port';
import { type OrderLookup, type OrderPaymentRecord, type OrderPayments } from '../src/application/ports/order-payments.port';
import { type WalletBalances, type WalletBalanceView } from '../src/application/ports/wallet-balances.port';
import { balanceDelta, decodeWalletEvent, userIdOfWalletStream } from '../src/domain/wallet-events';

/**
 * In-memory fakes of the payment ports, for unit specs only. The event store keeps the same contract as the
 * PostgreSQL one: consecutive versions, ConcurrencyError on a stale expected version, projections kept current.
 */
export class InMemoryPaymentPorts implements EventStore, OrderPayments, WalletBalances {
  readonly events: RecordedEvent[] = [];
  readonly voided = new Set<string>();
  private readonly orders = new Map<string, OrderPaymentRecord>();
  private readonly balances = new Map<string, WalletBalanceView>();
  private clock = Date.parse('2026-01-01T00:00:00.000Z');
  /** Appends that will lose a race: each one first sees another writer's event land on its stream. */
  raceOnNextAppends = 0;
  /** Runs once just before the next append, as another writer would. */
  beforeNextAppend: (() => Promise<void>) | undefined;

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.events
      .filter((event) => event.streamId === streamId && (!options.until || event.occurredAt <= options.until) && event.version > (options.afterVersion ?? 0))
      .slice(0, options.limit);
  }

  async append(request: AppendRequest): Promise<RecordedEvent[]> {
    const interleaved = this.beforeNextAppend;
    this.beforeNextAppend = undefined;
    await interleaved?.();
    if (this.raceOnNextAppends > 0) {
      this.raceOnNextAppends--;
      throw new ConcurrencyError(request.streamId, request.expectedVersion, 'another writer appended first');
    }
    const current = this.events.filter((event) => event.streamId === request.streamId).length;
    if (current !== request.expectedVersion) throw new ConcurrencyError(request.streamId, request.expectedVersion, `stream is at ${current}`);
    const recorded = request.events.map((event, i) => ({
      globalPosition: this.events.length + i + 1,
      streamId: request.streamId,
      version: request.expectedVersion + i + 1,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      occurredAt: new Date((this.clock += 1_000)),
      correlationId: request.correlationId ?? null,
      causationId: request.causationId ?? null,
    }));
    for (const event of recorded) {
      const userId = userIdOfWalletStream(event.streamId)!;
      const walletEvent = decodeWalletEvent(event.type, event.schemaVersion, event.data);
      if (walletEvent.type === 'PaymentCharged' && this.voided.has(walletEvent.data.orderId)) {
        throw new ConcurrencyError(request.streamId, request.expectedVersion, 'order voided meanwhile');
      }
      const before = this.balances.get(userId)?.balanceCents ?? 0;
      this.balances.set(userId, { userId, balanceCents: before + balanceDelta(walletEvent), version: event.version, updatedAt: event.occurredAt });
      if (walletEvent.type === 'PaymentCharged' || walletEvent.type === 'PaymentDeclined') {
        const status = walletEvent.type === 'PaymentCharged' ? 'CHARGED' : 'DECLINED';
        this.orders.set(walletEvent.data.orderId, { orderId: walletEvent.data.orderId, userId, status, amountCents: walletEvent.data.amountCents });
      }
      if (walletEvent.type === 'PaymentRefunded') {
        const order = this.orders.get(walletEvent.data.orderId)!;
        this.orders.set(order.orderId, { ...order, status: 'REFUNDED' });
      }
    }
    this.events.push(...recorded);
    return recorded;
  }

  async lookup(orderId: string): Promise<OrderLookup> {
    return { payment: this.orders.get(orderId), voided: this.voided.has(orderId) };
  }

  async voidUnlessKnown(orderId: string): Promise<OrderPaymentRecord | undefined> {
    const known = this.orders.get(orderId);
    if (!known) this.voided.add(orderId);
    return known;
  }

  async find(userId: string): Promise<WalletBalanceView | undefined> {
    return this.balances.get(userId);
  }

  typesOf(userId: string): string[] {
    return this.events.filter((event) => event.streamId === `wallet-${userId}`).map((event) => event.type);
  }
}
