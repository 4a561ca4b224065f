import { canMove, priceOrder, UnknownProductsError } from './order';

const catalog = [
  { productId: 'p1', name: 'Pour-over kettle', priceCents: 3_450 },
  { productId: 'p2', name: 'Ceramic dripper', priceCents: 1_990 },
];

describe('priceOrder', () => {
  it('prices every line from the catalog and sums the total', () => {
    const { lines, totalCents } = priceOrder([{ productId: 'p1', quantity: 2 }, { productId: 'p2', quantity: 1 }], catalog);
    expect(lines).toEqual([
      { productId: 'p1', productName: 'Pour-over kettle', quantity: 2, unitPriceCents: 3_450 },
      { productId: 'p2', productName: 'Ceramic dripper', quantity: 1, unitPriceCents: 1_990 },
    ]);
    expect(totalCents).toBe(2 * 3_450 + 1_990);
  });

  it('merges repeated products into one line', () => {
    const { lines } = priceOrder([{ productId: 'p1', quantity: 2 }, { productId: 'p1', quantity: 3 }], catalog);
    expect(lines).toEqual([expect.objectContaining({ productId: 'p1', quantity: 5 })]);
  });

  it('rejects products the catalog does not know, naming them', () => {
    expect(() => priceOrder([{ productId: 'p1', quantity: 1 }, { productId: 'nope', quantity: 1 }], catalog)).toThrow(UnknownProductsError);
    expect(() => priceOrder([{ productId: 'nope', quantity: 1 }], catalog)).toThrow('Unknown product: nope');
  });

  it('rejects more than the per-line maximum once repeated lines are merged', () => {
    expect(() => priceOrder([{ productId: 'p1', quantity: 60 }, { productId: 'p1', quantity: 60 }], catalog)).toThrow('At most 100');
  });
});

describe('order status', () => {
  it.each([
    ['PENDING', 'CONFIRMED', true],
    ['PENDING', 'CANCELLED', true],
    ['CONFIRMED', 'SHIPPED', true],
    ['CONFIRMED', 'CANCELLED', false],
    ['CANCELLED', 'CONFIRMED', false],
    ['SHIPPED', 'PENDING', false],
  ] as const)('moving from %s to %s is allowed: %s', (from, to, allowed) => {
    expect(canMove(from, to)).toBe(allowed);
  });
});
