// Pattern 8, CQRS (docs/patterns/08-cqrs.md): order's commands change the write model and answer at once; queries
// read a separate read model that a projection builds from the order's own events. The demo watches the read side
// catch up with a command, and shows what each side answers.
import { randomUUID } from 'node:crypto';
import { api, check, historyLine, newCustomer, orderUntil, plentiful, runAlone, show, sleep, step, until } from './lib.mjs';

async function run() {
  const customer = await newCustomer(100_000, 'CQRS Demo');
  const [item] = await plentiful(customer.token);
  const key = randomUUID();
  const body = { items: [{ productId: item.id, quantity: 1 }] };

  step('Send the command: POST /api/orders', 'PlaceOrderCommand prices the lines, stores the order PENDING with order.placed.v1 in the outbox, in one transaction, and answers 202');
  const command = await api('POST', '/api/orders', { token: customer.token, body, headers: { 'idempotency-key': key } });
  const sentAt = Date.now();
  const firstRead = await api('GET', `/api/orders/${command.body.id}`, { token: customer.token });
  show(`POST /api/orders → ${command.status} in ${command.ms} ms`, command.body);
  show(`GET /api/orders/${command.body.id.slice(0, 8)}… right after → ${firstRead.status}`, firstRead.status === 200 ? firstRead.body.status : firstRead.body);
  check(command.status === 202 && command.body.status === 'PENDING', 'the command answers from the write side: an id and PENDING');

  step('Poll the query side until it knows the order', 'queries read order_views, which the order-read-model consumer group fills from orders.events.v1: reads lag writes by the outbox relay and Kafka');
  const visible = await until('the read model to have the order', async () => {
    const read = await api('GET', `/api/orders/${command.body.id}`, { token: customer.token });
    return read.status === 200 ? read.body : undefined;
  }, 15_000, 25);
  show(`in the read model after about ${Date.now() - sentAt} ms`, { status: visible.status, items: visible.items });
  check(visible.items[0].name === item.name && visible.items[0].unitPriceCents === item.priceCents, 'the view carries the catalog name and price, denormalised for reading');

  step('Let the saga and fulfilment run; the projection appends each status to the history', 'ChangeOrderStatusCommand moves the status by compare-and-set and writes order.confirmed.v1 / order.shipped.v1; the projection applies them in order');
  const shipped = await orderUntil(customer, command.body.id, ['SHIPPED', 'CANCELLED']);
  show('history', historyLine(shipped));
  show('tracking number (from shipping.shipped.v1, via order.shipped.v1)', shipped.trackingNumber);
  check(shipped.history.map((h) => h.status).join() === 'PENDING,CONFIRMED,SHIPPED' && Boolean(shipped.trackingNumber), 'the read model caught up: PENDING → CONFIRMED → SHIPPED with a tracking number');

  step('Send the same command again, and the same key with another body', 'the command side keeps the Idempotency-Key per user: a retry gets the same order, a reused key with a different request is refused');
  const again = await api('POST', '/api/orders', { token: customer.token, body, headers: { 'idempotency-key': key } });
  const other = await api('POST', '/api/orders', { token: customer.token, body: { items: [{ productId: item.id, quantity: 2 }] }, headers: { 'idempotency-key': key } });
  show(`same key, same body → ${again.status}`, again.body);
  show(`same key, other body → ${other.status}`, other.body);
  check(again.body?.id === command.body.id, 'the retry answers the same order id: no second order');
  check(other.status === 422, 'the reused key with another body is 422', other.status);

  step('Query the lists: GET /api/orders and the dashboard', 'ListOrdersQuery reads the same read model over REST and over gRPC (the dashboard); the write tables are never read for them');
  await sleep(200);
  const list = await api('GET', '/api/orders', { token: customer.token });
  const dashboard = await api('GET', '/api/dashboard', { token: customer.token });
  show('GET /api/orders', list.body.map((o) => `${o.id.slice(0, 8)} ${o.status}`).join(', '));
  show('dashboard orders', dashboard.body.orders.map((o) => `${o.id.slice(0, 8)} ${o.status}`).join(', '));
  check(list.body.length === 1 && list.body[0].id === command.body.id && dashboard.body.orders[0]?.id === command.body.id, 'one order in both, the same one');
}

const demo = { name: 'cqrs', title: 'a command answers at once; the read model catches up from events', docs: 'docs/patterns/08-cqrs.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
