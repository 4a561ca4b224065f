import {
  type BoughtTogether,
  type ProductCounts,
  POPULARITY_WEIGHTS,
  popularityOf,
  rankPopular,
  rankRecommendations,
} from './ranking';

const together = (productId: string, count: number, purchases = 0, views = 0): BoughtTogether => ({ productId, count, purchases, views });
const counts = (productId: string, purchases: number, views = 0): ProductCounts => ({ productId, purchases, views });
const ids = (items: ReadonlyArray<{ productId: string }>): string[] => items.map((item) => item.productId);

describe('rankRecommendations', () => {
  it('ranks products bought together with the user purchases by summed co-purchase count', () => {
    const answer = rankRecommendations({
      limit: 10,
      purchased: new Set(['a']),
      boughtTogether: [together('c', 1), together('b', 2)],
      popular: [],
    });
    expect(ids(answer.items)).toEqual(['b', 'c']);
    expect(answer.strategy).toBe('co-purchase');
  });

  it('never recommends a product the user already bought', () => {
    const answer = rankRecommendations({
      limit: 10,
      purchased: new Set(['a', 'b']),
      boughtTogether: [together('a', 9), together('b', 5), together('c', 1)],
      popular: [counts('a', 100), counts('b', 50), counts('d', 1)],
    });
    expect(ids(answer.items)).toEqual(['c', 'd']);
  });

  it('fills with popular products, most popular first, when bought-together items are fewer than the limit', () => {
    const answer = rankRecommendations({
      limit: 4,
      purchased: new Set(['a']),
      boughtTogether: [together('b', 3)],
      popular: [counts('e', 1), counts('b', 9), counts('d', 4), counts('c', 2)],
    });
    expect(ids(answer.items)).toEqual(['b', 'd', 'c', 'e']);
    expect(answer.strategy).toBe('co-purchase');
  });

  it('cuts the answer at the limit, bought-together items first', () => {
    const answer = rankRecommendations({
      limit: 2,
      purchased: new Set(),
      boughtTogether: [together('b', 1), together('c', 2), together('d', 3)],
      popular: [counts('e', 100)],
    });
    expect(ids(answer.items)).toEqual(['d', 'c']);
  });

  it('answers popular products with the strategy "popular" for a user who bought nothing', () => {
    const answer = rankRecommendations({
      limit: 10,
      purchased: new Set(),
      boughtTogether: [],
      popular: [counts('b', 1), counts('a', 3)],
    });
    expect(answer).toEqual({
      items: [
        { productId: 'a', score: 1 },
        { productId: 'b', score: 1 / 3 },
      ],
      strategy: 'popular',
    });
  });

  it('answers "popular" when the user bought products nobody bought with anything else', () => {
    const answer = rankRecommendations({ limit: 5, purchased: new Set(['a']), boughtTogether: [], popular: [counts('a', 7), counts('b', 1)] });
    expect(answer).toEqual({ items: [{ productId: 'b', score: 1 }], strategy: 'popular' });
  });

  it('weighs a purchase as five views', () => {
    expect(POPULARITY_WEIGHTS).toEqual({ purchase: 5, view: 1 });
    expect(popularityOf({ purchases: 2, views: 3 })).toBe(13);
    const answer = rankRecommendations({
      limit: 10,
      purchased: new Set(),
      boughtTogether: [],
      popular: [counts('bought-once', 1, 0), counts('viewed-six-times', 0, 6), counts('viewed-four-times', 0, 4)],
    });
    expect(ids(answer.items)).toEqual(['viewed-six-times', 'bought-once', 'viewed-four-times']);
  });

  it('scores bought-together items in (1, 2] and popular items in (0, 1], so the list is ordered by score', () => {
    const answer = rankRecommendations({
      limit: 10,
      purchased: new Set(['a']),
      boughtTogether: [together('b', 4), together('c', 1)],
      popular: [counts('d', 10), counts('e', 5)],
    });
    expect(answer.items).toEqual([
      { productId: 'b', score: 2 },
      { productId: 'c', score: 1.25 },
      { productId: 'd', score: 1 },
      { productId: 'e', score: 0.5 },
    ]);
    const scores = answer.items.map((item) => item.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
  });

  it('breaks a tie in co-purchase count by popularity, then by product id', () => {
    const answer = rankRecommendations({
      limit: 10,
      purchased: new Set(),
      boughtTogether: [together('z', 2, 0, 1), together('y', 2, 3, 0), together('x', 2, 0, 1)],
      popular: [],
    });
    expect(ids(answer.items)).toEqual(['y', 'x', 'z']);
  });

  it('breaks a tie in popularity by product id', () => {
    expect(ids(rankPopular([counts('c', 1), counts('a', 0, 5), counts('b', 1)], 10))).toEqual(['a', 'b', 'c']);
  });

  it('lists a product once even when it is both bought together and popular', () => {
    const answer = rankRecommendations({
      limit: 10,
      purchased: new Set(),
      boughtTogether: [together('b', 1)],
      popular: [counts('b', 9), counts('c', 1)],
    });
    expect(ids(answer.items)).toEqual(['b', 'c']);
  });

  it('leaves out candidates with nothing to their name', () => {
    const answer = rankRecommendations({ limit: 10, purchased: new Set(), boughtTogether: [together('b', 0)], popular: [counts('c', 0, 0)] });
    expect(answer).toEqual({ items: [], strategy: 'popular' });
  });

  it('answers nothing for a limit of zero', () => {
    const answer = rankRecommendations({ limit: 0, purchased: new Set(), boughtTogether: [together('b', 1)], popular: [counts('c', 1)] });
    expect(answer).toEqual({ items: [], strategy: 'popular' });
  });
});

describe('rankPopular', () => {
  it('ranks every product by purchases weighted above views, the most popular scoring 1', () => {
    expect(rankPopular([counts('a', 1, 0), counts('b', 2, 0), counts('c', 0, 20)], 2)).toEqual([
      { productId: 'c', score: 1 },
      { productId: 'b', score: 0.5 },
    ]);
  });
});
