import { type OrderLine } from '../../domain/order';
import { InventoryPort, type ReservationOutcome } from '../ports/inventory.port';
import { type ChargeOutcome, PaymentPort } from '../ports/payment.port';
import { placeOrderSaga, type PlaceOrderSagaContext } from './place-order.saga';
import { advance, type SagaState } from './saga';

type Reply<T> = T | 'unavailable';

/** Ports that answer from a script and record every call, so each scenario reads as given replies / expected calls. */
class ScriptedInventory extends InventoryPort {
  constructor(private readonly replies: Array<Reply<ReservationOutcome>>, private readonly releaseReplies: Array<Reply<'ok'>>, private readonly calls: string[]) {
    super();
  }
  async prices(): Promise<never> {
    throw new Error('not used by the saga');
  }
  async reserve(): Promise<ReservationOutcome> {
    this.calls.push('reserve');
    const reply = this.replies.shift() ?? 'RESERVED';
    if (reply === 'unavailable') throw new Error('inventory unavailable');
    return reply;
  }
  async release(): Promise<void> {
    this.calls.push('release');
    if ((this.releaseReplies.shift() ?? 'ok') === 'unavailable') throw new Error('inventory unavailable');
  }
}

class ScriptedPayment extends PaymentPort {
  constructor(private readonly replies: Array<Reply<ChargeOutcome>>, private readonly calls: string[]) {
    super();
  }
  async charge(): Promise<ChargeOutcome> {
    this.calls.push('charge');
    const reply = this.replies.shift() ?? 'CHARGED';
    if (reply === 'unavailable') throw new Error('payment unavailable');
    return reply;
  }
  async refund(): Promise<void> {
    this.calls.push('refund');
  }
}

interface Scenario {
  readonly reserve: Array<Reply<ReservationOutcome>>;
  readonly charge: Array<Reply<ChargeOutcome>>;
  readonly release?: Array<Reply<'ok'>>;
  /** Uncertain failures allowed before the deadline passes. */
  readonly failuresBeforeDeadline?: number;
}

/** Order o1 of user u1 for 10.00, with scripted participants that record their calls in `calls`. */
function scriptedContext(calls: string[], inventory: InventoryPort, payment: PaymentPort, lines: readonly OrderLine[] = []): PlaceOrderSagaContext {
  return { orderId: 'o1', userId: 'u1', totalCents: 1_000, lines, inventory, payment, confirm: async () => void calls.push('confirm') };
}

async function run(scenario: Scenario): Promise<{ calls: string[]; outcome: string; reason: string | null; retries: number }> {
  const calls: string[] = [];
  const lines: OrderLine[] = [{ productId: 'p1', productName: 'Kettle', quantity: 1, unitPriceCents: 1_000 }];
  const context = scriptedContext(
    calls,
    new ScriptedInventory([...scenario.reserve], [...(scenario.release ?? [])], calls),
    new ScriptedPayment([...scenario.charge], calls),
    lines,
  );
  let clock = 0;
  const deadline = scenario.failuresBeforeDeadline ?? 2;
  const timing = { now: () => new Date(clock), backoffMs: () => 1 };
  let state: SagaState = { status: 'RUNNING', stepIndex: 0, pendingCompensations: [], reason: null, attempts: 0, deadlineAt: new Date(deadline) };
  let retries = 0;
  for (let guard = 0; guard < 50; guard++) {
    const progress = await advance(placeOrderSaga, state, context, timing);
    state = progress.state;
    if (progress.next === 'retry-later') {
      retries++;
      clock++; // each retry happens a little later; after `deadline` retries the deadline has passed
    }
    if (progress.next === 'finished') return { calls, outcome: progress.outcome, reason: state.reason, retries };
  }
  throw new Error('saga did not finish');
}

describe('the orchestrated order saga', () => {
  it.each<[string, Scenario, string[], string, string | null]>([
    ['stock and funds suffice', { reserve: ['RESERVED'], charge: ['CHARGED'] }, ['reserve', 'charge', 'confirm'], 'completed', null],
    ['stock is short', { reserve: ['REJECTED'], charge: [] }, ['reserve'], 'compensated', 'OUT_OF_STOCK'],
    ['the wallet is too low', { reserve: ['RESERVED'], charge: ['DECLINED'] }, ['reserve', 'charge', 'release'], 'compensated', 'PAYMENT_DECLINED'],
    [
      'payment stays unavailable past the deadline',
      { reserve: ['RESERVED'], charge: ['unavailable', 'unavailable', 'unavailable'] },
      ['reserve', 'charge', 'charge', 'charge', 'refund', 'release'],
      'compensated',
      'PAYMENT_UNAVAILABLE',
    ],
    [
      'payment comes back before the deadline',
      { reserve: ['RESERVED'], charge: ['unavailable', 'CHARGED'] },
      ['reserve', 'charge', 'charge', 'confirm'],
      'completed',
      null,
    ],
    [
      'inventory stays unavailable past the deadline',
      { reserve: ['unavailable', 'unavailable', 'unavailable'], charge: [] },
      ['reserve', 'reserve', 'reserve', 'release'],
      'compensated',
      'INVENTORY_UNAVAILABLE',
    ],
    [
      'a compensation fails at first (it is retried until it succeeds)',
      { reserve: ['RESERVED'], charge: ['DECLINED'], release: ['unavailable', 'unavailable', 'ok'] },
      ['reserve', 'charge', 'release', 'release', 'release'],
      'compensated',
      'PAYMENT_DECLINED',
    ],
  ])('when %s: calls %j and ends %s with reason %s', async (_when, scenario, calls, outcome, reason) => {
    const result = await run(scenario);
    expect(result.calls).toEqual(calls);
    expect(result.outcome).toBe(outcome);
    expect(result.reason).toBe(reason);
  });

  it('releases the stock while a refund waits for payment to come back', async () => {
    const calls: string[] = [];
    let paymentUp = false;
    const payment = new (class extends ScriptedPayment {
      override async refund(): Promise<void> {
        calls.push('refund');
        if (!paymentUp) throw new Error('payment unavailable');
      }
    })([], calls);
    const context = scriptedContext(calls, new ScriptedInventory([], [], calls), payment);
    const timing = { now: () => new Date(), backoffMs: () => 1 };
    let state: SagaState = { status: 'COMPENSATING', stepIndex: 2, pendingCompensations: [0, 1], reason: 'PAYMENT_UNAVAILABLE', attempts: 0, deadlineAt: new Date(0) };
    let progress = await advance(placeOrderSaga, state, context, timing);
    progress = await advance(placeOrderSaga, progress.state, context, timing);
    expect(calls).toEqual(['refund', 'release']);
    state = progress.state;
    expect(state.pendingCompensations).toEqual([1]);
    progress = await advance(placeOrderSaga, state, context, timing);
    expect(progress.next).toBe('retry-later');
    paymentUp = true;
    progress = await advance(placeOrderSaga, progress.state, context, timing);
    progress = await advance(placeOrderSaga, progress.state, context, timing);
    expect(progress).toMatchObject({ next: 'finished', outcome: 'compensated' });
    expect(calls).toEqual(['refund', 'release', 'refund', 'refund']);
  });

  it('never charges after stock was refused and never confirms after a refusal', async () => {
    const result = await run({ reserve: ['REJECTED'], charge: ['CHARGED'] });
    expect(result.calls).not.toContain('charge');
    expect(result.calls).not.toContain('confirm');
  });

  it('resumes from a persisted state: a saga restarted after the charge goes straight to confirm, and is done', async () => {
    const calls: string[] = [];
    const context = scriptedContext(calls, new ScriptedInventory([], [], calls), new ScriptedPayment([], calls));
    const afterCharge: SagaState = { status: 'RUNNING', stepIndex: 2, pendingCompensations: [], reason: null, attempts: 0, deadlineAt: new Date(Date.now() + 1_000) };
    const progress = await advance(placeOrderSaga, afterCharge, context, { now: () => new Date(), backoffMs: () => 1 });
    expect(progress).toMatchObject({ next: 'finished', outcome: 'completed', state: { status: 'DONE', stepIndex: 3 } });
    expect(calls).toEqual(['confirm']);
  });

  it('finishes with the last undo: no state with nothing left to undo is returned for saving', async () => {
    const calls: string[] = [];
    const context = scriptedContext(calls, new ScriptedInventory([], ['ok'], calls), new ScriptedPayment([], calls));
    const lastUndo: SagaState = { status: 'COMPENSATING', stepIndex: 1, pendingCompensations: [0], reason: 'PAYMENT_DECLINED', attempts: 0, deadlineAt: new Date(0) };
    const progress = await advance(placeOrderSaga, lastUndo, context, { now: () => new Date(), backoffMs: () => 1 });
    expect(progress).toMatchObject({ next: 'finished', outcome: 'compensated', state: { status: 'DONE', pendingCompensations: [], reason: 'PAYMENT_DECLINED' } });
    expect(calls).toEqual(['release']);
  });
});
