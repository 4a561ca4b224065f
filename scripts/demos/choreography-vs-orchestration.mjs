// Pattern 9, choreography vs orchestration (docs/patterns/09-choreography-vs-orchestration.md): the same order saga,
// chosen per order: an orchestrator in order calling inventory and payment over gRPC, or services reacting to each
// other's events on Kafka. The demo places the same order both ways and prints the events each one left on the topics.
import {
  balance,
  check,
  historyLine,
  money,
  newCustomer,
  orderUntil,
  peekTopics,
  placeOrder,
  plentiful,
  product,
  runAlone,
  show,
  step,
  until,
} from './lib.mjs';

const TOPICS = ['orders.events.v1', 'inventory.events.v1', 'payments.events.v1', 'shipping.events.v1'];

/** The events of one order across the topics, oldest first, each with what caused it when that event is here too. */
function timeline(events, orderId) {
  const mine = events.filter((e) => e.data?.orderId === orderId).sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  const byId = new Map(mine.map((e) => [e.id, e]));
  const start = Date.parse(mine[0]?.occurredAt);
  return mine.map((e) => ({
    ...e,
    line: `+${String(Date.parse(e.occurredAt) - start).padStart(5)} ms  ${e.topic.padEnd(20)} ${e.type.padEnd(22)}${byId.has(e.causationId) ? ` ← caused by ${byId.get(e.causationId).type}` : ''}`,
  }));
}

async function run() {
  const customer = await newCustomer(100_000, 'Saga Styles Demo');
  const [item] = await plentiful(customer.token);
  const stockBefore = (await product(customer.token, item.id)).available;

  step('Read the four domain topics from their current end, and place the same order in each style', 'the body field saga picks the style per order: "orchestration" (the default here) or "choreography"');
  const peek = await peekTopics(TOPICS);
  const orders = {};
  try {
    for (const style of ['orchestration', 'choreography']) {
      const placed = await placeOrder(customer, [{ productId: item.id, quantity: 1 }], { saga: style });
      show(`saga: "${style}" → 202`, placed.id);
      orders[style] = placed.id;
    }
    for (const style of Object.keys(orders)) orders[style] = await orderUntil(customer, orders[style], ['SHIPPED', 'CANCELLED']);
    await until('order.shipped.v1 of both orders on the topic', async () =>
      Object.values(orders).every((o) => peek.events().some((e) => e.type === 'order.shipped.v1' && e.data?.orderId === o.id)) ? true : undefined,
    15_000);
  } finally {
    await peek.stop();
  }

  step('Compare the outcomes', 'both styles implement the same steps and compensations, so the customer sees the same result');
  for (const [style, order] of Object.entries(orders)) show(`${style.padEnd(13)} ${order.id.slice(0, 8)}`, `${order.status}, sagaStyle ${order.sagaStyle}, total ${money(order.totalCents)}: ${historyLine(order)}`);
  const { orchestration, choreography } = orders;
  check(orchestration.sagaStyle === 'orchestration' && choreography.sagaStyle === 'choreography', 'each order ran in the style it asked for');
  check(
    orchestration.status === 'SHIPPED' && choreography.status === 'SHIPPED' && orchestration.totalCents === choreography.totalCents,
    'the same outcome: both SHIPPED, the same total',
  );
  const paid = await balance(customer);
  const stock = (await product(customer.token, item.id)).available;
  show('wallet, stock', `${money(100_000)} → ${money(paid)}, ${stockBefore} → ${stock}`);
  check(paid === 100_000 - 2 * item.priceCents && stock === stockBefore - 2, 'each charged once and each took one unit');

  step('Compare the paths: the events each order left on Kafka', 'orchestration: order calls Reserve and Charge over gRPC and only announces the result; choreography: each service reacts to the previous event and announces its own');
  const all = peek.events();
  const paths = {};
  for (const [style, order] of Object.entries(orders)) {
    paths[style] = timeline(all, order.id);
    show(`${style}:`);
    for (const event of paths[style]) show(`  ${event.line}`);
  }
  const types = (style) => paths[style].map((e) => e.type);
  const reservedAt = types('choreography').indexOf('inventory.reserved.v1');
  check(
    reservedAt >= 0 && reservedAt < types('choreography').indexOf('payment.charged.v1') && types('choreography').indexOf('payment.charged.v1') < types('choreography').indexOf('order.confirmed.v1'),
    'choreography: inventory.reserved.v1 → payment.charged.v1 → order.confirmed.v1, each a reaction to the one before',
    types('choreography'),
  );
  check(!types('orchestration').includes('inventory.reserved.v1'), 'orchestration: no inventory.reserved.v1 — the reservation was a gRPC call, not an event', types('orchestration'));
  for (const style of ['orchestration', 'choreography']) {
    check(types(style).filter((t) => t === 'order.confirmed.v1').length === 1, `${style}: one order.confirmed.v1, from which fulfilment is choreographed in both styles`);
  }
}

const demo = { name: 'choreography-vs-orchestration', title: 'the same order in both saga styles: same outcome, different paths', docs: 'docs/patterns/09-choreography-vs-orchestration.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
