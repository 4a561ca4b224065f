/**
 * Publish-subscribe (docs/patterns/05-publish-subscribe.md): a product view becomes a fact on the Kafka
 * topic `user-activity.v1`, which recommendation's popularity model subscribes to. Best effort on purpose:
 * the gateway owns no database, so there is no outbox to write in a transaction; a view lost while Kafka is
 * down is an accepted analytics loss, and recording it never delays or fails the product response.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Kafka, type Message, type Producer } from 'kafkajs';
import { Counter } from 'prom-client';
import { PRODUCT_VIEWED_V1, TOPICS } from '@shop/contracts';
import { LOGGER, type Logger, traceHeaders } from '@shop/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

export const USER_ACTIVITY_TOPIC = TOPICS.userActivity;
export const PRODUCT_VIEWED_TYPE = PRODUCT_VIEWED_V1;

export interface ProductViewedV1 {
  readonly id: string;
  readonly type: typeof PRODUCT_VIEWED_TYPE;
  readonly version: 1;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId: null;
  readonly data: { readonly userId: string | null; readonly productId: string };
}

const viewsCounter = new Counter({
  name: 'gateway_product_views_total',
  help: 'Product-viewed events by outcome: published, or dropped (buffer full or Kafka failure)',
  labelNames: ['outcome'],
});

/** Views are sent in batches: one Kafka request for up to BATCH_SIZE views, or after LINGER_MS (Kafka's linger.ms). */
const BATCH_SIZE = 500;
const LINGER_MS = 50;
/** While Kafka is slow or down, at most this many views wait in memory; more are dropped and counted. */
const MAX_BUFFERED = 10_000;
const SEND_TIMEOUT_MS = 5_000;

export function productViewedEvent(userId: string | undefined, productId: string, requestId: string, now = new Date()): ProductViewedV1 {
  return {
    id: randomUUID(),
    type: PRODUCT_VIEWED_TYPE,
    version: 1,
    occurredAt: now.toISOString(),
    correlationId: requestId,
    causationId: null,
    data: { userId: userId ?? null, productId },
  };
}

@Injectable()
export class ProductViewRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: Producer;
  private buffer: Message[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private connected: Promise<void> | undefined;
  private readonly enabled: boolean;

  constructor(
    kafka: Kafka,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(GATEWAY_CONFIG) config: Pick<GatewayConfig, 'GATEWAY_RECORD_PRODUCT_VIEWS'>,
  ) {
    this.enabled = config.GATEWAY_RECORD_PRODUCT_VIEWS;
    this.producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 2, initialRetryTime: 100 } });
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    // Connect in the background: the gateway serves products even while Kafka is away (readiness reports it).
    void this.connect().catch(() => undefined);
  }

  /** Records that `productId` was viewed; returns at once, the event is sent in the background. */
  recordView(userId: string | undefined, productId: string, requestId: string): void {
    if (!this.enabled) return;
    if (this.buffer.length + this.inFlight >= MAX_BUFFERED) {
      viewsCounter.inc({ outcome: 'dropped' });
      return;
    }
    const event = productViewedEvent(userId, productId, requestId);
    // The request id travels as the envelope's correlationId; the headers carry the trace context, so the
    // recommendation consumer's span joins the trace of the product request (docs/observability.md).
    this.buffer.push({ key: productId, value: JSON.stringify(event), headers: traceHeaders() });
    if (this.buffer.length >= BATCH_SIZE) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), LINGER_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.flush();
    const deadline = Date.now() + 2_000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.producer.disconnect().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      this.logger.warn({ err: error }, 'Kafka producer for product views is not connected; views are dropped until it is');
      throw error;
    });
    return this.connected;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const messages = this.buffer;
    this.buffer = [];
    this.inFlight += messages.length;
    void this.send(messages).finally(() => {
      this.inFlight -= messages.length;
    });
  }

  private async send(messages: Message[]): Promise<void> {
    try {
      await this.connect();
      await this.producer.send({ topic: USER_ACTIVITY_TOPIC, acks: 1, timeout: SEND_TIMEOUT_MS, messages });
      viewsCounter.inc({ outcome: 'published' }, messages.length);
    } catch (error) {
      viewsCounter.inc({ outcome: 'dropped' }, messages.length);
      this.logger.warn({ err: error, views: messages.length }, 'product views dropped: Kafka did not take them');
    }
  }
}
