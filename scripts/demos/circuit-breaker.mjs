// Pattern 3, circuit breaker (docs/patterns/03-circuit-breaker.md): a dependency that keeps failing is not called for
// a while; callers fail fast, the saga cancels and compensates at its deadline, and a probe closes the breaker once
// the dependency is back. The demo stops payment and watches the gateway, order's breaker and the saga.
import {
  api,
  balance,
  BREAKER_HALF_OPEN_MS,
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
  runAlone,
  SAGA_DEADLINE_MS,
  SETTLE_MS,
  show,
  sleep,
  startApp,
  step,
  stopApp,
  until,
} from './lib.mjs';

/** order's breakers as its readiness check reports them, e.g. {inventory: "closed", payment: "open"}. */
async function orderBreakers() {
  const health = await internalGet('order', '/health/ready');
  return health.body?.checks?.breakers?.details ?? {};
}

async function run() {
  const customer = await newCustomer(100_000, 'Breaker Demo');
  const [item] = await plentiful(customer.token);
  const stockBefore = (await product(customer.token, item.id)).available;

  step('Look at the breakers while everything is up', 'order wraps its gRPC calls to inventory and payment in a policy: timeout, bounded retry, breaker');
  const initial = await orderBreakers();
  show("order's /health/ready → checks.breakers.details", initial);
  check(initial.payment === 'closed', "order's breaker for payment is closed", initial);

  step('Stop the payment service', 'from now on every call to payment fails: connection refused');
  show('payment stopped', await stopApp('payment'));

  step('Read the wallet through the gateway a few times', 'the gateway has its own breaker per upstream: after 5 consecutive failures it answers 503 at once, without calling payment');
  const answers = [];
  for (let i = 0; i < 7; i++) {
    const answer = await api('GET', '/api/wallet', { token: customer.token });
    answers.push(answer);
    show(`GET /api/wallet → ${answer.status} in ${answer.ms} ms`, answer.body?.message ?? answer.body);
  }
  check(answers.every((a) => a.status === 503), 'every answer is 503 (a dependency failure), never 500', answers.map((a) => a.status));
  check(/circuit breaker is open/.test(answers.at(-1).body?.message ?? ''), 'the last answers come from the open breaker: payment is not even called', answers.at(-1).body);

  step('Place three orders (orchestrated saga)', "order accepts them (202): placing an order needs inventory's prices, not payment");
  const placed = [];
  for (let i = 0; i < 3; i++) placed.push(await placeOrder(customer, [{ productId: item.id, quantity: 1 }], { saga: 'orchestration' }));
  show('accepted', placed.map((p) => `${p.id} ${p.status}`).join(', '));

  step("Watch order's breaker for payment open", 'each saga reserves stock, then its Charge fails twice (retry on UNAVAILABLE); 5 consecutive failures open the breaker, and later charges fail fast');
  const open = await until("order's payment breaker to open", async () => {
    const breakers = await orderBreakers();
    return breakers.payment === 'open' ? breakers : undefined;
  }, SAGA_DEADLINE_MS);
  show("order's /health/ready → checks.breakers.details", open);
  const metrics = await internalGet('order', '/metrics');
  show('shop_breaker_state{dependency="payment"} (0 closed, 1 half-open, 2 open)', String(metric(metrics.body, 'shop_breaker_state', { dependency: 'payment' })));
  check(open.payment === 'open', 'the breaker is open; readiness still answers (an open breaker does not take order out of rotation)');

  step(`Wait for the saga deadline (${SAGA_DEADLINE_MS / 1000} s)`, 'past its deadline the saga stops retrying, compensates (releases the stock, refunds whatever was charged) and cancels');
  for (const p of placed) {
    const order = await orderUntil(customer, p.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'], SETTLE_MS);
    show(`order ${order.id.slice(0, 8)}`, `${order.status} ${order.reason ?? ''}  (${historyLine(order)})`);
    check(order.status === 'CANCELLED' && order.reason === 'PAYMENT_UNAVAILABLE', 'cancelled with PAYMENT_UNAVAILABLE', order);
  }
  const restored = await until('the stock to be released', async () => {
    const available = (await product(customer.token, item.id)).available;
    return available === stockBefore ? available : undefined;
  });
  show(`${item.name}: units available before / now`, `${stockBefore} / ${restored}`);
  check(restored === stockBefore, 'the compensation gave the reserved stock back');

  step('Start payment again', `after ${BREAKER_HALF_OPEN_MS / 1000} s open, the breaker lets one call through (half-open); a success closes it`);
  show('payment started', await startApp('payment'));
  const seen = [open.payment];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const state = (await orderBreakers().catch(() => ({}))).payment;
      if (state && state !== seen.at(-1)) seen.push(state);
      await sleep(100);
    }
  })();
  const after = await placeOrder(customer, [{ productId: item.id, quantity: 1 }], { saga: 'orchestration' });
  const confirmed = await orderUntil(customer, after.id, ['CONFIRMED', 'SHIPPED', 'CANCELLED'], SETTLE_MS);
  const closed = await until("order's payment breaker to close", async () => ((await orderBreakers()).payment === 'closed' ? true : undefined), BREAKER_HALF_OPEN_MS + 15_000);
  sampling = false;
  await sampler;
  if (seen.at(-1) !== 'closed') seen.push('closed');
  show("order's breaker for payment, as sampled", seen.join(' → '));
  show(`a new order ${after.id.slice(0, 8)}`, `${confirmed.status} (${historyLine(confirmed)})`);
  check(closed && confirmed.status !== 'CANCELLED', 'the breaker closed and the new order is confirmed', confirmed);

  step('Check the money and the gateway', 'charges of cancelled orders are refunded (or voided) once payment answers again: no money stays taken');
  const expected = 100_000 - item.priceCents;
  const now = await until(`the balance to settle at ${money(expected)}`, async () => {
    const cents = await balance(customer).catch(() => undefined);
    return cents === expected ? cents : undefined;
  }, 30_000, 500);
  show('balance', `${money(now)} = 1000.00 USD − one ${money(item.priceCents)} order`);
  const wallet = await api('GET', '/api/wallet', { token: customer.token });
  show(`GET /api/wallet → ${wallet.status}`, wallet.body);
  check(now === expected && wallet.status === 200, "only the confirmed order was paid, and the gateway's breaker closed too");
}

const demo = { name: 'circuit-breaker', title: 'payment stopped: fail fast, breaker open, saga compensates, recovery', docs: 'docs/patterns/03-circuit-breaker.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
