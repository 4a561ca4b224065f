import { randomUUID } from 'node:crypto';
import { createDataSource, runMigrations } from '@shop/platform';
import { createTestDatabase } from '@shop/testing';
import { type DataSource } from 'typeorm';
import { RecordProductViewHandler } from '../src/application/commands/record-product-view.command';
import { RecordPurchaseHandler } from '../src/application/commands/record-purchase.command';
import { GetRecommendationsHandler } from '../src/application/queries/get-recommendations.query';
import { recommendationDatabase } from '../src/infrastructure/persistence/database';
import { PostgresRecommendationModel } from '../src/infrastructure/persistence/recommendation-model.repository';
import { PostgresRecommendationReads } from '../src/infrastructure/persistence/recommendation-reads.repository';

/** The model's writes and reads against a real, fresh PostgreSQL database: counting once, concurrency, ranking in SQL. */
describe('recommendation model in PostgreSQL', () => {
  let database: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;
  let recordPurchase: RecordPurchaseHandler;
  let recordView: RecordProductViewHandler;
  let recommendations: GetRecommendationsHandler;
  let reads: PostgresRecommendationReads;

  beforeAll(async () => {
    database = await createTestDatabase('recommendation_model');
    await runMigrations(recommendationDatabase(database.url));
    dataSource = createDataSource({ ...recommendationDatabase(database.url), poolSize: 12 });
    await dataSource.initialize();
    const model = new PostgresRecommendationModel(dataSource);
    reads = new PostgresRecommendationReads(dataSource);
    recordPurchase = new RecordPurchaseHandler(model);
    recordView = new RecordProductViewHandler(model);
    recommendations = new GetRecommendationsHandler(reads);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const message = (type = 'order.confirmed.v1') => ({ id: randomUUID(), type });
  const purchase = (userId: string, productIds: string[], orderId = randomUUID()) =>
    recordPurchase.execute({ message: message(), orderId, userId, items: productIds.map((productId) => ({ productId })) });
  const view = (productId: string, id = randomUUID()) =>
    recordView.execute({ message: { id, type: 'user-activity.product-viewed.v1' }, productId, userId: null });
  const coPurchases = async (productId: string, otherProductId: string): Promise<number | undefined> => {
    const rows: { count: string }[] = await dataSource.query(`SELECT count FROM co_purchases WHERE product_id = $1 AND other_product_id = $2`, [
      productId,
      otherProductId,
    ]);
    return rows[0] && Number(rows[0].count);
  };
  const popularity = async (productId: string): Promise<{ purchases: number; views: number } | undefined> => {
    const rows: { purchases: string; views: string }[] = await dataSource.query(`SELECT purchases, views FROM product_popularity WHERE product_id = $1`, [
      productId,
    ]);
    return rows[0] && { purchases: Number(rows[0].purchases), views: Number(rows[0].views) };
  };
  const purchasesOf = async (userId: string): Promise<string[]> =>
    (await dataSource.query(`SELECT product_id FROM user_purchases WHERE user_id = $1 ORDER BY product_id`, [userId])).map(
      (row: { product_id: string }) => row.product_id,
    );
  const products = (n: number): string[] => Array.from({ length: n }, () => randomUUID()).sort();

  it('records the user purchases, one purchase per product and the co-purchase both ways', async () => {
    const [a, b, c] = products(3);
    const user = randomUUID();
    expect(await purchase(user, [b, a, c, a])).toBe('recorded');
    expect(await purchasesOf(user)).toEqual([a, b, c]);
    expect(await popularity(a)).toEqual({ purchases: 1, views: 0 });
    for (const [x, y] of [
      [a, b],
      [b, a],
      [a, c],
      [c, a],
      [b, c],
      [c, b],
    ]) {
      expect(await coPurchases(x, y)).toBe(1);
    }
    expect(await coPurchases(a, a)).toBeUndefined();
  });

  it('counts a message once however often it is delivered', async () => {
    const [a, b] = products(2);
    const user = randomUUID();
    const command = { message: message(), orderId: randomUUID(), userId: user, items: [{ productId: a }, { productId: b }] };
    expect(await recordPurchase.execute(command)).toBe('recorded');
    expect(await recordPurchase.execute(command)).toBe('duplicate');
    expect(await coPurchases(a, b)).toBe(1);
    expect(await popularity(b)).toEqual({ purchases: 1, views: 0 });
  });

  it('counts an order once even when it is confirmed again under another message id', async () => {
    const [a, b] = products(2);
    const orderId = randomUUID();
    expect(await purchase(randomUUID(), [a, b], orderId)).toBe('recorded');
    expect(await purchase(randomUUID(), [a, b], orderId)).toBe('duplicate');
    expect(await coPurchases(b, a)).toBe(1);
    expect(await popularity(a)).toEqual({ purchases: 1, views: 0 });
  });

  it('counts views, once per message', async () => {
    const [v] = products(1);
    const id = randomUUID();
    expect(await view(v, id)).toBe('recorded');
    expect(await view(v, id)).toBe('duplicate');
    expect(await view(v)).toBe('recorded');
    expect(await popularity(v)).toEqual({ purchases: 0, views: 2 });
  });

  it('loses no count and deadlocks nowhere when 40 orders of the same products are recorded at once', async () => {
    const [a, b, c, d] = products(4);
    const orders = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? [d, c, b, a] : [a, b, c]));
    const outcomes = await Promise.all(orders.map((productIds) => purchase(randomUUID(), productIds)));
    expect(outcomes).toEqual(Array(40).fill('recorded'));
    expect(await coPurchases(a, b)).toBe(40);
    expect(await coPurchases(c, a)).toBe(40);
    expect(await coPurchases(a, d)).toBe(20);
    expect(await popularity(a)).toEqual({ purchases: 40, views: 0 });
    expect(await popularity(d)).toEqual({ purchases: 20, views: 0 });
  });

  it('ranks in SQL as the domain ranks: bought together first, by summed count, without what the user bought', async () => {
    const [a, b, c, d, e] = products(5);
    const user = randomUUID();
    await purchase(randomUUID(), [a, b]);
    await purchase(randomUUID(), [a, b]);
    await purchase(randomUUID(), [a, c]);
    await purchase(randomUUID(), [d, c]);
    await purchase(user, [a, d]);
    await view(c);
    const candidates = await reads.candidatesFor(user, 10);
    expect([...candidates.purchased].sort()).toEqual([a, d].sort());
    // b: 2 with a; c: 1 with a + 1 with d = 2.
    const together = candidates.boughtTogether.map(({ productId, count }) => ({ productId, count }));
    expect(together.sort((x, y) => x.productId.localeCompare(y.productId))).toEqual(
      [
        { productId: b, count: 2 },
        { productId: c, count: 2 },
      ].sort((x, y) => x.productId.localeCompare(y.productId)),
    );
    expect(candidates.popular.map((p) => p.productId)).not.toEqual(expect.arrayContaining([a]));
    expect(candidates.popular.map((p) => p.productId)).not.toEqual(expect.arrayContaining([d]));

    await view(e);
    // Same summed count: c, bought as often as b but also viewed, is more popular and comes first.
    const answer = await recommendations.execute({ userId: user, limit: 10 });
    expect(answer.strategy).toBe('co-purchase');
    expect(answer.items.slice(0, 2)).toEqual([
      { productId: c, score: 2 },
      { productId: b, score: 2 },
    ]);
    const recommended = answer.items.map((item) => item.productId);
    expect(recommended).not.toContain(a);
    expect(recommended).not.toContain(d);
    expect(new Set(recommended).size).toBe(recommended.length);
    expect(answer.items.slice(2).every((item) => item.score > 0 && item.score <= 1)).toBe(true);
  });

  it('narrows the candidates to the limit and still fills the answer when popular ones are also bought together', async () => {
    const [a, b, c] = products(3);
    const user = randomUUID();
    for (let i = 0; i < 50; i++) await purchase(randomUUID(), [a, b, c]);
    await purchase(user, [a]);
    const answer = await recommendations.execute({ userId: user, limit: 3 });
    expect(answer.items).toHaveLength(3);
    expect(answer.items.map((item) => item.productId).slice(0, 2).sort()).toEqual([b, c].sort());
    expect(answer.items[2].productId).not.toBe(a);
  });

  it('answers popular products to a user who bought nothing, purchases weighted above views', async () => {
    const answer = await recommendations.execute({ userId: randomUUID(), limit: 50 });
    expect(answer.strategy).toBe('popular');
    expect(answer.items[0].score).toBe(1);
    const top = await reads.popular(1);
    expect(answer.items[0].productId).toBe(top[0].productId);
    const scores = answer.items.map((item) => item.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
  });
});
