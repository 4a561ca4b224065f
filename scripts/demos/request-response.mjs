// Pattern 2, request-response (docs/patterns/02-request-response.md): REST at the edge, gRPC between services, each
// call with a deadline and errors mapped through one table. The demo follows a price from inventory to an order.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { api, check, env, money, newCustomer, orderUntil, placeOrder, plentiful, ROOT, runAlone, show, step, TARGET } from './lib.mjs';

/** inventory's GetProducts over gRPC with the generated client of libs/contracts (built by start-local). */
function getProducts(productIds) {
  const require = createRequire(resolve(ROOT, 'package.json'));
  const { credentials, Metadata } = require('@grpc/grpc-js');
  const { inventoryV1 } = require('@shop/contracts');
  const client = new inventoryV1.InventoryServiceClient(env.INVENTORY_GRPC_ADDRESS, credentials.createInsecure());
  return new Promise((resolvePromise) => {
    client.getProducts({ productIds }, new Metadata(), { deadline: Date.now() + 1_000 }, (error, response) => {
      client.close();
      resolvePromise(error ? { error: { code: error.code, details: error.details } } : { response });
    });
  });
}

async function run() {
  const customer = await newCustomer(100_000, 'Request-Response Demo');
  const [item] = await plentiful(customer.token);

  step('Read a product over REST: client → gateway → inventory', 'the client waits for the page it shows; the gateway relays inventory\'s JSON over a keep-alive pool');
  const rest = await api('GET', `/api/products/${item.id}`, { token: customer.token });
  show(`GET /api/products/${item.id} → ${rest.status} in ${rest.ms} ms`, rest.body);
  check(rest.status === 200 && rest.body.id === item.id && Number.isInteger(rest.body.priceCents), 'inventory answers the product with its price in cents');

  step('Ask inventory the same over gRPC, as order does', 'typed contracts generated from proto/shop/inventory/v1/inventory.proto, a deadline on every call');
  if (TARGET === 'native') {
    const grpc = await getProducts([item.id]);
    show(`GetProducts([${item.id}]) at ${env.INVENTORY_GRPC_ADDRESS}, deadline 1 s`, grpc.response ?? grpc.error);
    const product = grpc.response?.products?.[0];
    check(product && Number(product.priceCents) === rest.body.priceCents, 'gRPC and REST give the same price', product);
    const invalid = await getProducts(['not-a-uuid']);
    show('GetProducts(["not-a-uuid"])', invalid.error ?? invalid.response);
    check(invalid.error?.code === 3, 'a bad id is INVALID_ARGUMENT (code 3), which the error table maps to 400', invalid);
  } else {
    show('skipped under compose: gRPC ports are not published; order makes this call in the next step');
  }

  step('Place an order of 3: order prices it by calling inventory GetProducts (gRPC) before it answers', 'the client never sends a price; order asks the owner of the catalog and must wait for the answer');
  const placed = await placeOrder(customer, [{ productId: item.id, quantity: 3 }]);
  show('POST /api/orders → 202', placed);
  const order = await orderUntil(customer, placed.id, ['PENDING', 'CONFIRMED', 'SHIPPED', 'CANCELLED']);
  const line = order.items[0];
  show('the order as stored', { items: order.items, totalCents: order.totalCents });
  check(line.unitPriceCents === rest.body.priceCents, `the unit price is the catalog's, ${money(rest.body.priceCents)}`, line);
  check(order.totalCents === rest.body.priceCents * 3, `total = price × quantity = ${money(rest.body.priceCents)} × 3 = ${money(order.totalCents)}`, order.totalCents);

  step('Ask for a product that does not exist, over REST and through an order', 'errors cross each hop through one table: NOT_FOUND ↔ 404, INVALID_ARGUMENT ↔ 400 — never a bare 500');
  const missing = randomUUID();
  const notFound = await api('GET', `/api/products/${missing}`, { token: customer.token });
  show(`GET /api/products/${missing} → ${notFound.status}`, notFound.body);
  const refused = await api('POST', '/api/orders', { token: customer.token, body: { items: [{ productId: missing, quantity: 1 }] }, headers: { 'idempotency-key': randomUUID() } });
  show(`POST /api/orders with that product → ${refused.status}`, refused.body);
  check(notFound.status === 404, 'inventory\'s 404 reaches the client as 404', notFound.status);
  const orders = await api('GET', '/api/orders', { token: customer.token });
  check(refused.status >= 400 && refused.status < 500, 'the order is refused with a 4xx', refused.status);
  check(orders.body.length === 1, 'no order was stored for it: the customer still has one order', orders.body.length);
}

const demo = { name: 'request-response', title: 'REST at the edge, gRPC inside: an order priced by a gRPC call to inventory', docs: 'docs/patterns/02-request-response.md', run };
export default demo;
if (import.meta.main) await runAlone(demo);
