// Pattern 5, publish-subscribe (docs/patterns/05-publish-subscribe.md): order publishes one order.confirmed.v1 on
// Kafka (through its outbox) and every interested service reads it in its own consumer group. The demo finds that one
// event, shows each group's committed offset pass it, and the effect each subscriber had.
import {
  api,
  check,
  groupOffsets,
  internalGet,
  newCustomer,
  orderUntil,
  peekTopics,
  placeOrder,
  plentiful,
  runAlone,
  show,
  step,
  until,
} from './lib.mjs';

const TOPIC = 'orders.events.v1';
/** The consumer groups that read order.confirmed.v1, and what each does with it (docs/architecture.md). */
const SUBSCRIBERS = {
  'order-read-model': 'order projects it into the read model (status CONFIRMED in the history)',
  recommendation: 'recommendation counts a purchase (popularity, bought-together)',
  'shipping-fulfilment': 'shipping turns it into one create-shipment task',
  'inventory-saga': 'inventory commits the reservation',
};

async function recommendedIds(customer) {
  const response = await api('GET', '/api/recommendations', { token: customer.token });
  return response.status === 200 ? response.body.map((r) => r.productId) : [];
}

/** recommendation's popularity model (its internal REST diagnostics): the 50 most popular products with their counts. */
async function popular() {
  const response = await internalGet('recommendation', '/recommendations/popular?limit=50');
  return Array.isArray(response.body) ? response.body : [];
}

const purchasesOf = async (productId) => (await popular()).find((p) => p.productId === productId)?.purchases ?? 0;

async function run() {
  const customer = await newCustomer(100_000, 'Pub-Sub Demo');
  const candidates = await plentiful(customer.token, 20);
  const before = await recommendedIds(customer);
  // A product recommended to this new customer, so the purchase visibly changes what is recommended; else one already
  // among the 50 most popular, so its purchase count stays visible.
  const ranked = new Set((await popular()).map((p) => p.productId));
  const item = candidates.find((p) => before.includes(p.id)) ?? candidates.find((p) => ranked.has(p.id)) ?? candidates[0];
  const purchasesBefore = await purchasesOf(item.id);

  step('Start reading orders.events.v1 from its current end, then place an order', 'order writes order.confirmed.v1 to its outbox in the same transaction as the status change; a relay publishes it, keyed by order id');
  const peek = await peekTopics([TOPIC]);
  let placed;
  let order;
  try {
    placed = await placeOrder(customer, [{ productId: item.id, quantity: 1 }]);
    order = await orderUntil(customer, placed.id, ['SHIPPED', 'CANCELLED']);
    await until('order.confirmed.v1 on the topic', async () => (peek.events().some((e) => e.type === 'order.confirmed.v1' && e.data?.orderId === placed.id) ? true : undefined), 15_000);
  } finally {
    await peek.stop();
  }
  const mine = peek.events().filter((e) => e.data?.orderId === placed.id);
  for (const e of mine) show(`${e.topic} partition ${e.partition} offset ${e.offset}`, `${e.type} (id ${e.id.slice(0, 8)}…)`);
  const confirmed = mine.filter((e) => e.type === 'order.confirmed.v1');
  check(confirmed.length === 1, 'exactly one order.confirmed.v1 was published for the order', confirmed.length);
  const event = confirmed[0];

  step('Look at every consumer group on that partition', 'each group has its own offsets: every group gets every event, and no producer knows who listens');
  for (const [group, what] of Object.entries(SUBSCRIBERS)) {
    const committed = await until(`${group} to commit past offset ${event.offset}`, async () => {
      const offsets = await groupOffsets(group, TOPIC);
      return offsets[event.partition] > event.offset ? offsets[event.partition] : undefined;
    }, 20_000, 500);
    check(committed > event.offset, `${group.padEnd(19)} committed offset ${committed} on partition ${event.partition}: read it — ${what}`);
  }

  step('See what each subscriber did with it', 'the inbox records each message id in the same transaction as the effect, so a redelivered event changes nothing');
  show('order read model', `${order.status}, history ${order.history.map((h) => h.status).join(' → ')}`);
  check(order.history.some((h) => h.status === 'CONFIRMED'), 'the read model recorded CONFIRMED from the event');

  const shipment = await internalGet('shipping', `/shipments/${placed.id}`);
  show(`shipping GET /shipments/${placed.id.slice(0, 8)}… → ${shipment.status}`, shipment.body);
  check(shipment.status === 200 && shipment.body.trackingNumber === order.trackingNumber, 'shipping created a shipment, with the tracking number the order shows');

  const after = await until('recommendation to count the purchase', async () => {
    const purchases = await purchasesOf(item.id);
    return purchases > purchasesBefore ? purchases : undefined;
  }, 20_000, 500);
  show(`recommendation: purchases of ${item.name}`, `${purchasesBefore} → ${after}`);
  check(after > purchasesBefore, 'recommendation counted the purchase');
  if (before.includes(item.id)) {
    const now = await recommendedIds(customer);
    show('recommended to the customer before / after', `${before.includes(item.id) ? 'includes' : 'lacks'} ${item.name} / ${now.includes(item.id) ? 'includes' : 'lacks'} it`);
    check(!now.includes(item.id), 'what the customer bought is no longer recommended to them');
  }
}

const demo = { name: 'publish-subscribe', title: 'one order.confirmed.v1, read by four consumer groups', docs: 'docs/patterns/05-publish-subscribe.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
