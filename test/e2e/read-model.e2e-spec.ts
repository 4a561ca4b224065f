import { api, newCustomer, orderUntil, placeOrder, products } from './support/system';

// Pattern 8: the read model, built from events, answers the queries.
describe('the order read model (CQRS)', () => {
  it('answers GET /api/orders with items, totals and the status history, newest first', async () => {
    const customer = await newCustomer(1_000_000);
    const catalog = await products(customer.token);
    const first = await placeOrder(customer, [{ productId: catalog[10].id, quantity: 1 }]);
    const second = await placeOrder(customer, [{ productId: catalog[11].id, quantity: 3 }]);
    await orderUntil(customer, first.body.id, ['SHIPPED']);
    await orderUntil(customer, second.body.id, ['SHIPPED']);
    const list = await api<Array<{ id: string; status: string; totalCents: number; history: Array<{ status: string }>; items: Array<{ name: string }> }>>(
      'GET',
      '/api/orders',
      { token: customer.token },
    );
    expect(list.status).toBe(200);
    expect(list.body.map((o) => o.id)).toEqual([second.body.id, first.body.id]);
    expect(list.body[0]).toMatchObject({ status: 'SHIPPED', totalCents: 3 * catalog[11].priceCents });
    expect(list.body[0].history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED']);
    expect(list.body[0].items[0].name).toBe(catalog[11].name);
  });
});

