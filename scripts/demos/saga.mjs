// Pattern 7, saga (docs/patterns/07-saga.md): placing an order is reserve stock → charge the wallet → confirm, each a
// local transaction of its own service; a failed step runs the compensations of the steps before it. The demo runs
// the orchestrated saga to CONFIRMED, to PAYMENT_DECLINED with the stock given back, and to OUT_OF_STOCK.
import { randomUUID } from 'node:crypto';
import {
  api,
  balance,
  check,
  historyLine,
  internalGet,
  metric,
  money,
  newCustomer,
  orderUntil,
  placeOrder,
  plentiful,
  product,
  products,
  runAlone,
  show,
  step,
  until,
} from './lib.mjs';

async function sagaCounters() {
  const metrics = await internalGet('order', '/metrics');
  return {
    confirmed: metric(metrics.body, 'shop_saga_outcomes_total', { style: 'orchestration', outcome: 'confirmed' }),
    declined: metric(metrics.body, 'shop_saga_outcomes_total', { style: 'orchestration', outcome: 'cancelled', reason: 'PAYMENT_DECLINED' }),
    outOfStock: metric(metrics.body, 'shop_saga_outcomes_total', { style: 'orchestration', outcome: 'cancelled', reason: 'OUT_OF_STOCK' }),
    releases: metric(metrics.body, 'shop_saga_compensations_total', { step: 'reserve-stock' }),
  };
}

const walletTypes = async (customer) => (await api('GET', '/api/wallet/history', { token: customer.token })).body.map((e) => e.type);

async function run() {
  const alice = await newCustomer(100_000, 'Saga Demo (funds)');
  const [item] = await plentiful(alice.token);
  const stock0 = (await product(alice.token, item.id)).available;
  const counters = await sagaCounters();

  step(`Order 2 × ${item.name} (${money(item.priceCents)}) with 1000.00 in the wallet`, 'the orchestrator in order calls inventory Reserve, then payment Charge, then confirms; each step is one local transaction, safe to repeat');
  const good = await placeOrder(alice, [{ productId: item.id, quantity: 2 }], { saga: 'orchestration' });
  const confirmed = await orderUntil(alice, good.id, ['SHIPPED', 'CANCELLED']);
  show(`order ${good.id.slice(0, 8)}`, `${confirmed.status}: ${historyLine(confirmed)}`);
  const paid = await balance(alice);
  const stock1 = (await product(alice.token, item.id)).available;
  show('wallet', `${money(100_000)} → ${money(paid)}`);
  show('stock', `${stock0} → ${stock1}`);
  check(confirmed.history.map((h) => h.status).join() === 'PENDING,CONFIRMED,SHIPPED', 'PENDING → CONFIRMED → SHIPPED', confirmed.history);
  check(paid === 100_000 - 2 * item.priceCents && stock1 === stock0 - 2, 'charged once for 2 units, and 2 units taken once');

  step(`Order 1 × the same with ${money(item.priceCents - 1)} in the wallet`, 'Reserve succeeds, Charge is declined: the saga compensates the reservation (Release) and cancels with PAYMENT_DECLINED');
  const bob = await newCustomer(item.priceCents - 1, 'Saga Demo (short)');
  const bad = await placeOrder(bob, [{ productId: item.id, quantity: 1 }], { saga: 'orchestration' });
  const declined = await orderUntil(bob, bad.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED']);
  show(`order ${bad.id.slice(0, 8)}`, `${declined.status} ${declined.reason}: ${historyLine(declined)}`);
  check(declined.status === 'CANCELLED' && declined.reason === 'PAYMENT_DECLINED', 'cancelled with PAYMENT_DECLINED', declined);
  const stock2 = await until('the reserved unit to be released', async () => {
    const available = (await product(bob.token, item.id)).available;
    return available === stock1 ? available : undefined;
  });
  show('stock', `${stock1} → reserved 1 → released → ${stock2}`);
  const bobTypes = await walletTypes(bob);
  show("the short wallet's events", bobTypes.join(', '));
  check(stock2 === stock1, 'the compensation gave the unit back');
  check((await balance(bob)) === item.priceCents - 1 && !bobTypes.includes('PaymentCharged') && bobTypes.includes('PaymentDeclined'), 'nothing was charged; the decline is recorded');

  step('Order more units than the scarcest product has', 'the first step fails: nothing to compensate, nothing charged, cancelled with OUT_OF_STOCK');
  const scarce = (await products(alice.token)).filter((p) => p.available > 0 && p.available < 100).sort((a, b) => a.available - b.available)[0];
  let outOfStock = 0;
  if (scarce) {
    const before = await balance(alice);
    const short = await placeOrder(alice, [{ productId: scarce.id, quantity: scarce.available + 1 }], { saga: 'orchestration', idempotencyKey: randomUUID() });
    const refused = await orderUntil(alice, short.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED']);
    show(`order of ${scarce.available + 1} × ${scarce.name} (${scarce.available} left)`, `${refused.status} ${refused.reason}`);
    check(refused.reason === 'OUT_OF_STOCK' && (await balance(alice)) === before, 'cancelled with OUT_OF_STOCK, the wallet untouched', refused);
    check((await product(alice.token, scarce.id)).available === scarce.available, 'the stock untouched');
    outOfStock = 1;
  } else {
    show('skipped: every product has 100 units or more, and one order line orders at most 100');
  }

  step("Read order's saga counters", 'the runner counts outcomes and compensations (shop_saga_outcomes_total, shop_saga_compensations_total on order /metrics)');
  const after = await sagaCounters();
  const delta = Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - counters[key]]));
  show('since the demo started', delta);
  check(delta.confirmed >= 1 && delta.declined >= 1 && delta.releases >= 1 && delta.outOfStock >= outOfStock, 'one confirmed, one declined with a Release compensation counted');
}

const demo = { name: 'saga', title: 'reserve → charge → confirm, and compensation when a step fails', docs: 'docs/patterns/07-saga.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
