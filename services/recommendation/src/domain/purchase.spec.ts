import { coPurchasePairs, distinctProducts } from './purchase';

describe('distinctProducts', () => {
  it('counts a product once per order however many lines and units it has, sorted', () => {
    expect(distinctProducts([{ productId: 'c' }, { productId: 'a' }, { productId: 'c' }, { productId: 'b' }])).toEqual(['a', 'b', 'c']);
  });

  it('gives nothing for an order without lines', () => {
    expect(distinctProducts([])).toEqual([]);
  });
});

describe('coPurchasePairs', () => {
  it('pairs every two distinct products of an order both ways, sorted', () => {
    expect(coPurchasePairs(['b', 'a', 'c'])).toEqual([
      { productId: 'a', otherProductId: 'b' },
      { productId: 'a', otherProductId: 'c' },
      { productId: 'b', otherProductId: 'a' },
      { productId: 'b', otherProductId: 'c' },
      { productId: 'c', otherProductId: 'a' },
      { productId: 'c', otherProductId: 'b' },
    ]);
  });

  it('gives no pair for a single product, even listed twice', () => {
    expect(coPurchasePairs(['a'])).toEqual([]);
    expect(coPurchasePairs(['a', 'a'])).toEqual([]);
  });

  it('gives n times n minus one pairs for n products', () => {
    const products = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const pairs = coPurchasePairs(products);
    expect(pairs).toHaveLength(90);
    expect(new Set(pairs.map((p) => `${p.productId}>${p.otherProductId}`)).size).toBe(90);
  });
});
