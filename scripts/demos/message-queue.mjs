// Pattern 6, message queue (docs/patterns/06-message-queue.md): shipping puts one create-shipment task per confirmed
// order on a RabbitMQ work queue, and competing workers each take tasks, acking only after the shipment committed.
// The demo ships orders one by one and reads from the workers' metrics which worker created each shipment.
import {
  check,
  internalGet,
  metric,
  newCustomer,
  orderUntil,
  placeOrder,
  plentiful,
  runAlone,
  show,
  startApp,
  step,
  stopApp,
} from './lib.mjs';

const WORKERS = ['shipping-worker-1', 'shipping-worker-2'];

/** Shipments each worker process has created so far (shop_shipments_total{outcome="created"}), 0 for a stopped one. */
async function createdByWorker() {
  const counts = {};
  for (const worker of WORKERS) {
    const metrics = await internalGet(worker, '/metrics').catch(() => undefined);
    counts[worker] = metrics?.status === 200 ? metric(metrics.body, 'shop_shipments_total', { outcome: 'created' }) : 0;
  }
  return counts;
}

/** Places an order, waits until it is SHIPPED, and names the worker whose created-shipments count went up. */
async function shipOne(customer, item) {
  const before = await createdByWorker();
  const placed = await placeOrder(customer, [{ productId: item.id, quantity: 1 }]);
  const order = await orderUntil(customer, placed.id, ['SHIPPED', 'CANCELLED']);
  const after = await createdByWorker();
  const by = WORKERS.filter((w) => after[w] > before[w]);
  const shipment = await internalGet('shipping', `/shipments/${placed.id}`);
  return { order, shipment, by };
}

async function run() {
  const customer = await newCustomer(100_000, 'Queue Demo');
  const items = await plentiful(customer.token, 4);

  step('Ship four orders, one after the other', 'order.confirmed.v1 (Kafka) becomes one task on the queue shipping.create-shipment.v1 (RabbitMQ); whichever worker RabbitMQ hands it to creates the shipment');
  const counts = await createdByWorker();
  show('shipments created so far per worker', counts);
  const shipped = [];
  for (const item of items) {
    const { order, shipment, by } = await shipOne(customer, item);
    shipped.push({ order, shipment, by });
    show(`order ${order.id.slice(0, 8)} ${order.status}`, `shipment ${shipment.body?.shipmentId?.slice(0, 8)}… ${shipment.body?.trackingNumber} by ${by.join(' or ') || 'an unseen worker'}`);
    check(order.status === 'SHIPPED' && shipment.status === 200 && shipment.body.trackingNumber === order.trackingNumber, 'shipped once: one shipment, whose tracking number the order shows', shipment.body);
    check(by.length > 0, 'a worker counted the shipment it created');
  }
  const workersSeen = new Set(shipped.flatMap((s) => s.by));
  show('workers that created these shipments', [...workersSeen].join(', '));
  check(new Set(shipped.map((s) => s.shipment.body.shipmentId)).size === shipped.length, 'four orders, four distinct shipments');

  step('Stop shipping-worker-1 and ship another order', 'a work queue needs no particular worker: the other competing consumer takes every task, and nothing waits for the stopped one');
  show('shipping-worker-1 stopped', await stopApp('shipping-worker-1'));
  try {
    const { order, shipment, by } = await shipOne(customer, items[0]);
    show(`order ${order.id.slice(0, 8)} ${order.status}`, `shipment ${shipment.body?.trackingNumber} by ${by.join(' or ') || 'an unseen worker'}`);
    check(order.status === 'SHIPPED' && shipment.status === 200, 'the order was shipped while worker 1 was down');
    check(by.length === 1 && by[0] === 'shipping-worker-2', 'shipping-worker-2 created it', by);
  } finally {
    show('shipping-worker-1 started again', await startApp('shipping-worker-1'));
  }

  step('Read the workers\' task counters', 'each task was acked once by one worker after its shipment committed (manual acks); a failing task is retried after a delay, then dead-lettered');
  for (const worker of WORKERS) {
    const metrics = await internalGet(worker, '/metrics');
    show(worker, {
      'tasks done': metric(metrics.body, 'shop_queue_tasks_total', { outcome: 'done' }),
      retried: metric(metrics.body, 'shop_queue_tasks_total', { outcome: 'retried' }),
      'dead-lettered': metric(metrics.body, 'shop_queue_tasks_total', { outcome: 'dead-lettered' }),
      'shipments created': metric(metrics.body, 'shop_shipments_total', { outcome: 'created' }),
      'already shipped (a duplicate task)': metric(metrics.body, 'shop_shipments_total', { outcome: 'already-shipped' }),
    });
  }
  show('(counters since each worker process started: the restarted worker 1 starts from 0)');
  const back = await internalGet('shipping-worker-1', '/health/ready');
  show('shipping-worker-1 /health/ready', back.body?.checks ?? back.body);
  check(back.status === 200, 'worker 1 is back and consuming the queue again');
}

const demo = { name: 'message-queue', title: 'one shipment per order, made by one of two competing workers', docs: 'docs/patterns/06-message-queue.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
