import { randomUUID } from 'node:crypto';
import { type INestApplication } from '@nestjs/common';
import {
  type Envelope,
  grpcServerOf,
  ORDER_CONFIRMED_V1,
  ORDER_PLACED_V1,
  PRODUCT_VIEWED_V1,
  recommendationV1,
  TOPICS,
} from '@shop/contracts';
import { createKafka, envelope, KafkaConsumers, KafkaPublisher } from '@shop/messaging';
import { callUnary, createGrpcClient, createLogger, GrpcStatus, runMigrations, startService } from '@shop/platform';
import { createTestDatabase, eventually, freePort, kafkaBrokers, startGroupsAtEnd } from '@shop/testing';
import { type Kafka } from 'kafkajs';
import { Client } from 'pg';
import { recommendationConsumerGroup } from '../src/api/messaging/recommendation.consumer';
import { loadRecommendationConfig } from '../src/config/recommendation.config';
import { recommendationDatabase } from '../src/infrastructure/persistence/database';
import { RecommendationModule } from '../src/recommendation.module';

const DEADLINE_MS = 5_000;

interface PopularBody {
  readonly productId: string;
  readonly score: number;
  readonly purchases: number;
  readonly views: number;
}
const WAIT_MS = 60_000;

/**
 * The recommendation app in-process on free ports, against a fresh migrated database and the real Kafka broker:
 * events go in through Kafka, answers come out over real gRPC and HTTP. The app reads in a consumer group of its
 * own (RECOMMENDATION_CONSUMER_GROUP_PREFIX), started at the end of the topics so earlier traffic does not count;
 * the topics are shared, so every assertion is about this spec's own fresh product and user ids.
 */
describe('recommendation service', () => {
  let database: { url: string; drop: () => Promise<void> };
  let app: INestApplication;
  let kafka: Kafka;
  let publisher: KafkaPublisher;
  let grpc: recommendationV1.RecommendationServiceClient;
  let baseUrl: string;
  let sql: Client;
  let groupId: string;

  beforeAll(async () => {
    database = await createTestDatabase('recommendation_component');
    await runMigrations(recommendationDatabase(database.url));
    const brokers = await kafkaBrokers();
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    const config = loadRecommendationConfig({
      RECOMMENDATION_DATABASE_URL: database.url,
      RECOMMENDATION_HTTP_PORT: String(httpPort),
      RECOMMENDATION_GRPC_PORT: String(grpcPort),
      RECOMMENDATION_CONSUMER_GROUP_PREFIX: `spec-${randomUUID()}.`,
      KAFKA_BROKERS: brokers.join(','),
      LOG_LEVEL: 'silent',
    });
    kafka = createKafka({ clientId: 'recommendation-spec', brokers });
    groupId = recommendationConsumerGroup(config);
    await startGroupsAtEnd(kafka, [groupId], [TOPICS.orders, TOPICS.userActivity]);
    const logger = createLogger('recommendation', config.LOG_LEVEL);
    app = await startService({
      service: 'recommendation',
      logger,
      module: RecommendationModule.register(config, logger),
      httpPort,
      host: '127.0.0.1',
      grpc: grpcServerOf('recommendation', `127.0.0.1:${grpcPort}`),
    });
    const consumers = app.get(KafkaConsumers);
    await eventually('the consumer group running', async () => ((await consumers.running()) ? true : undefined), WAIT_MS);
    publisher = new KafkaPublisher(kafka);
    grpc = createGrpcClient(recommendationV1.RecommendationServiceClient, `127.0.0.1:${grpcPort}`);
    baseUrl = `http://127.0.0.1:${httpPort}`;
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    grpc?.close();
    await publisher?.close();
    await sql?.end();
    await app?.close();
    if (groupId) await deleteGroup(kafka, groupId);
    await database?.drop();
  });

  const recommend = (userId: string, limit = 50): Promise<recommendationV1.GetRecommendationsResponse> =>
    callUnary('recommendation', grpc, grpc.getRecommendations, { userId, limit }, { deadlineMs: DEADLINE_MS });

  const orderConfirmed = (userId: string, productIds: string[], orderId = randomUUID()): Envelope => {
    const items = productIds.map((productId) => ({ productId, quantity: 1, unitPriceCents: 1_000 }));
    return envelope(ORDER_CONFIRMED_V1, { orderId, userId, items, totalCents: items.length * 1_000 }, { correlationId: orderId });
  };
  const productViewed = (productId: string, userId: string | null = randomUUID()): Envelope =>
    envelope(PRODUCT_VIEWED_V1, { userId, productId }, { correlationId: randomUUID() });

  /** Publishes on the topic of the message type; one key per call keeps the messages in order on one partition. */
  const publish = async (messages: Envelope[], key: string = randomUUID()): Promise<void> => {
    await publisher.publish(
      messages.map((message) => ({
        topic: message.type === PRODUCT_VIEWED_V1 ? TOPICS.userActivity : TOPICS.orders,
        key,
        value: JSON.stringify(message),
        headers: {},
      })),
    );
  };
  /** Waits until the inbox holds every one of these messages. */
  const handled = async (messages: Envelope[]): Promise<void> => {
    const ids = [...new Set(messages.map((message) => message.id))];
    await eventually(
      `${ids.length} messages handled`,
      async () => {
        const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox WHERE message_id = ANY($1::uuid[])`, [ids]);
        return rows[0].n === ids.length ? true : undefined;
      },
      WAIT_MS,
    );
  };
  const publishAndWait = async (messages: Envelope[], key?: string): Promise<void> => {
    await publish(messages, key);
    await handled(messages);
  };
  const coPurchases = async (productId: string, otherProductId: string): Promise<number> => {
    const { rows } = await sql.query<{ count: string }>(`SELECT count FROM co_purchases WHERE product_id = $1 AND other_product_id = $2`, [
      productId,
      otherProductId,
    ]);
    return rows.length === 0 ? 0 : Number(rows[0].count);
  };
  const popularOverRest = async (): Promise<PopularBody[]> => {
    const response = await fetch(`${baseUrl}/recommendations/popular?limit=50`);
    expect(response.status).toBe(200);
    return (await response.json()) as PopularBody[];
  };
  const ours = (items: recommendationV1.Recommendation[], products: readonly string[]): string[] =>
    items.map((item) => item.productId).filter((productId) => products.includes(productId));

  // One small catalog for the whole file: a, b, c bought in the orders below; v and w only ever viewed.
  const [a, b, c, v, w]: string[] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const buyerOfA = randomUUID();
  const buyerOfAB = randomUUID();

  describe('bought together', () => {
    beforeAll(async () => {
      await publishAndWait([
        orderConfirmed(buyerOfAB, [a, b]),
        orderConfirmed(randomUUID(), [a, c]),
        orderConfirmed(randomUUID(), [b, a]),
        orderConfirmed(buyerOfA, [a]),
        productViewed(w),
      ]);
    });

    it('recommends B then C to a user who bought A, after orders of A+B, A+C and A+B, and never A', async () => {
      const answer = await recommend(buyerOfA, 10);
      expect(answer.strategy).toBe('co-purchase');
      expect(answer.items.slice(0, 2)).toEqual([
        { productId: b, score: 2 },
        { productId: c, score: 1.5 },
      ]);
      expect(answer.items.map((item) => item.productId)).not.toContain(a);
    });

    it('recommends C, and neither A nor B, to the user who bought A and B', async () => {
      const answer = await recommend(buyerOfAB, 10);
      expect(answer.strategy).toBe('co-purchase');
      expect(answer.items[0]).toEqual({ productId: c, score: 2 });
      expect(answer.items.map((item) => item.productId)).not.toEqual(expect.arrayContaining([a]));
      expect(answer.items.map((item) => item.productId)).not.toEqual(expect.arrayContaining([b]));
    });

    it('fills the answer up to the limit with popular products the user did not buy, scored at most 1', async () => {
      // Popular candidates without a: b (2 purchases = 10), c (5), w (1 view = 1), and whatever other runs
      // publish meanwhile on the shared topics: the fill is the most popular of them that is not b or c.
      const popular = await popularOverRest();
      const answer = await recommend(buyerOfA, 3);
      expect(answer.strategy).toBe('co-purchase');
      expect(answer.items.slice(0, 2)).toEqual([
        { productId: b, score: 2 },
        { productId: c, score: 1.5 },
      ]);
      const candidates = popular.filter((item) => item.productId !== a);
      const fill = candidates.find((item) => item.productId !== b && item.productId !== c);
      if (!fill) throw new Error(`expected a popular product besides b and c, at least w; got ${JSON.stringify(popular)}`);
      const popularityOf = (item: PopularBody): number => item.purchases * 5 + item.views;
      expect(answer.items[2]).toEqual({ productId: fill.productId, score: popularityOf(fill) / popularityOf(candidates[0]) });
    });

    it('counts a duplicated event once, and the same order under a new message id once', async () => {
      const [d, e] = [randomUUID(), randomUUID()];
      const [orderId, userId] = [randomUUID(), randomUUID()];
      const first = orderConfirmed(userId, [d, e], orderId);
      const againWithNewId = orderConfirmed(userId, [d, e], orderId);
      // The last message shares the partition of the others, so once it is handled every copy before it was seen.
      const last = orderConfirmed(randomUUID(), [randomUUID()]);
      await publish([first, first, againWithNewId, first, last], orderId);
      await handled([first, againWithNewId, last]);
      expect(await coPurchases(d, e)).toBe(1);
      expect(await coPurchases(e, d)).toBe(1);
      const { rows } = await sql.query(`SELECT purchases::int, views::int FROM product_popularity WHERE product_id = $1`, [d]);
      expect(rows).toEqual([{ purchases: 1, views: 0 }]);
    });

    it('learns nothing from other order events', async () => {
      const placedProduct = randomUUID();
      const orderId = randomUUID();
      const placed = envelope(
        ORDER_PLACED_V1,
        {
          orderId,
          userId: randomUUID(),
          items: [{ productId: placedProduct, quantity: 1, unitPriceCents: 500 }],
          totalCents: 500,
          sagaStyle: 'choreography',
          deadline: new Date(Date.now() + 30_000).toISOString(),
        },
        { correlationId: orderId },
      );
      const last = orderConfirmed(randomUUID(), [randomUUID()]);
      await publish([placed, last], orderId);
      await handled([last]);
      const { rows } = await sql.query(`SELECT 1 FROM product_popularity WHERE product_id = $1`, [placedProduct]);
      expect(rows).toEqual([]);
      const inbox = await sql.query(`SELECT 1 FROM inbox WHERE message_id = $1`, [placed.id]);
      expect(inbox.rows).toEqual([]);
    });

    it('dead-letters a malformed event and goes on with the events behind it', async () => {
      const key = randomUUID();
      const malformed = envelope(ORDER_CONFIRMED_V1, { orderId: 'not-a-uuid', userId: randomUUID(), items: 'nothing' }, { correlationId: key });
      const [x, y] = [randomUUID(), randomUUID()];
      const behind = orderConfirmed(randomUUID(), [x, y]);
      await publish([malformed, behind], key);
      await handled([behind]);
      expect(await coPurchases(x, y)).toBe(1);
      const inbox = await sql.query(`SELECT 1 FROM inbox WHERE message_id = $1`, [malformed.id]);
      expect(inbox.rows).toEqual([]);
    });
  });

  describe('popular products', () => {
    it('answers popular products, most purchased first, to a new user', async () => {
      const answer = await recommend(randomUUID(), 50);
      expect(answer.strategy).toBe('popular');
      // a: 4 orders, b: 2, c: 1.
      expect(ours(answer.items, [a, b, c])).toEqual([a, b, c]);
      const scores = answer.items.map((item) => item.score);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
      expect(scores[0]).toBe(1);
      expect(scores.every((score) => score > 0 && score <= 1)).toBe(true);
    });

    it('lets views raise a product: six views of V (one anonymous) outweigh the one purchase of C', async () => {
      const fewViews = [productViewed(v), productViewed(v, null), productViewed(v)];
      await publishAndWait(fewViews);
      expect(ours((await recommend(randomUUID(), 50)).items, [c, v])).toEqual([c, v]);

      const repeated = productViewed(v);
      await publishAndWait([repeated, repeated, productViewed(v), productViewed(v)]);
      expect(ours((await recommend(randomUUID(), 50)).items, [c, v])).toEqual([v, c]);

      const popular = await popularOverRest();
      expect(popular.find((item) => item.productId === v)).toMatchObject({ purchases: 0, views: 6 });
      expect(popular.find((item) => item.productId === a)).toMatchObject({ purchases: 4, views: 0 });
      expect(popular.map((item) => item.productId).filter((id) => [a, b, c, v].includes(id))).toEqual([a, b, v, c]);
    });

    it('answers DEFAULT_LIMIT (10) items when the request leaves the limit at 0', async () => {
      await publishAndWait(Array.from({ length: 12 }, () => productViewed(randomUUID())));
      const answer = await recommend(randomUUID(), 0);
      expect(answer.items).toHaveLength(10);
      const rest = await fetch(`${baseUrl}/recommendations/popular`);
      expect(((await rest.json()) as unknown[]).length).toBe(10);
    });
  });

  describe('bad requests', () => {
    it.each([
      ['a user id that is not a UUID', 'user-1', 5],
      ['an empty user id', '', 5],
      ['a limit above 50', randomUUID(), 51],
      ['a negative limit', randomUUID(), -1],
    ])('refuses %s with INVALID_ARGUMENT', async (_what, userId, limit) => {
      await expect(recommend(userId, limit)).rejects.toMatchObject({ grpcCode: GrpcStatus.INVALID_ARGUMENT });
    });

    it.each([['limit=0'], ['limit=51'], ['limit=ten'], ['limit=5&user=1']])('answers 400 to GET /recommendations/popular?%s', async (query) => {
      const response = await fetch(`${baseUrl}/recommendations/popular?${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });
});

/** Spec groups are random, so each is removed once its app has stopped. */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([groupId]);
  } finally {
    await admin.disconnect();
  }
}
