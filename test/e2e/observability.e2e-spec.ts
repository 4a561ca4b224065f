/**
 * Observability of the running system (docs/observability.md): an order placed through the gateway is one trace
 * from the gateway to the shipping worker, across HTTP, gRPC, the outbox, Kafka and RabbitMQ; every app's /metrics
 * has the metrics the dashboards chart, and they move when orders are placed; log lines carry the trace and request
 * ids and never a password or a token.
 *
 * The apps must export their spans to OTEL_EXPORTER_OTLP_ENDPOINT, where this spec runs an OTLP/HTTP receiver:
 * scripts/test.sh starts the system with http://127.0.0.1:4318.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { api, type Customer, deposit, httpPort, orderUntil, products, ROOT, until } from './support/system';
import {
  ancestry,
  dashboardQueries,
  exports,
  metricNamesIn,
  OtlpReceiver,
  parsePrometheusText,
  type ReceivedSpan,
  type Scrape,
  SpanKind,
  sumOf,
} from './support/observability';

const ENDPOINT = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const LOGS = resolve(ROOT, '.local/logs');

const workerPort = httpPort('shipping_worker');
const APPS: ReadonlyArray<{ readonly name: string; readonly port: number }> = [
  ...['gateway', 'user', 'order', 'inventory', 'payment', 'shipping', 'recommendation'].map((name) => ({ name, port: httpPort(name) })),
  { name: 'shipping-worker-1', port: workerPort },
  { name: 'shipping-worker-2', port: workerPort + 1 },
];
const GRPC_APPS = ['user', 'order', 'inventory', 'payment', 'recommendation'];
const OUTBOX_APPS = ['user', 'order', 'inventory', 'payment', 'shipping', 'shipping-worker-1', 'shipping-worker-2'];
const KAFKA_CONSUMER_APPS = ['order', 'inventory', 'payment', 'shipping', 'recommendation'];

async function scrapeAll(): Promise<Map<string, Scrape>> {
  const scrapes = new Map<string, Scrape>();
  for (const app of APPS) {
    const response = await fetch(`http://127.0.0.1:${app.port}/metrics`, { signal: AbortSignal.timeout(5_000) });
    expect([app.name, response.status, response.headers.get('content-type')]).toEqual([app.name, 200, expect.stringContaining('text/plain')]);
    scrapes.set(app.name, parsePrometheusText(await response.text()));
  }
  return scrapes;
}

/** A W3C traceparent for a trace this spec starts, so the gateway continues it and the spec knows its id. */
function newTraceParent(): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

/** The byte length of each app log now, so only what this spec causes is read later. */
function logSizes(): Map<string, number> {
  const sizes = new Map<string, number>();
  if (!existsSync(LOGS)) return sizes;
  for (const file of readdirSync(LOGS).filter((name) => name.endsWith('.log'))) sizes.set(file, statSync(resolve(LOGS, file)).size);
  return sizes;
}

function logLinesSince(sizes: ReadonlyMap<string, number>): Array<{ file: string; line: string }> {
  const lines: Array<{ file: string; line: string }> = [];
  for (const file of readdirSync(LOGS).filter((name) => name.endsWith('.log') && !name.includes('migrate'))) {
    const from = sizes.get(file) ?? 0;
    const length = statSync(resolve(LOGS, file)).size - from;
    if (length <= 0) continue;
    const buffer = Buffer.alloc(length);
    const fd = openSync(resolve(LOGS, file), 'r');
    try {
      readSync(fd, buffer, 0, length, from);
    } finally {
      closeSync(fd);
    }
    for (const line of buffer.toString('utf8').split('\n')) if (line.trim()) lines.push({ file, line });
  }
  return lines;
}

const isConsumer = (system: 'kafka' | 'rabbitmq') => (span: ReceivedSpan) => span.kind === SpanKind.CONSUMER && span.attributes['messaging.system'] === system;

describe('observability of the running system', () => {
  let receiver: OtlpReceiver;
  let before: Map<string, Scrape>;
  let after: Map<string, Scrape>;
  let logSizesAtStart: Map<string, number>;
  let customer: Customer;
  let password: string;
  const orchestrated = newTraceParent();
  const choreographed = newTraceParent();
  let orchestratedRequestId: string;

  beforeAll(async () => {
    if (!ENDPOINT) {
      throw new Error(
        'OTEL_EXPORTER_OTLP_ENDPOINT is not set: start the system with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 (scripts/test.sh does) and run this spec with it',
      );
    }
    receiver = await OtlpReceiver.start(ENDPOINT);
    logSizesAtStart = logSizes();
    before = await scrapeAll();

    password = `observability-${randomUUID()}`;
    const email = `obs-${randomUUID()}@example.com`;
    const registered = await api<{ id: string }>('POST', '/api/auth/register', { body: { email, password, name: 'Observability' } });
    expect(registered.status).toBe(201);
    const login = await api<{ accessToken: string }>('POST', '/api/auth/login', { body: { email, password } });
    expect(login.status).toBe(200);
    customer = { id: registered.body.id, email, token: login.body.accessToken };
    await deposit(customer, 100_000);

    const product = (await products(customer.token)).find((p) => p.available >= 10 && p.priceCents <= 10_000);
    if (!product) throw new Error('no product with 10 units in stock at 100.00 or less');
    const placed = await Promise.all(
      [
        { saga: 'orchestration', trace: orchestrated },
        { saga: 'choreography', trace: choreographed },
      ].map(({ saga, trace }) =>
        api<{ id: string }>('POST', '/api/orders', {
          token: customer.token,
          body: { items: [{ productId: product.id, quantity: 1 }], saga },
          headers: { 'idempotency-key': randomUUID(), traceparent: trace.header },
        }),
      ),
    );
    for (const answer of placed) expect(answer.status).toBe(202);
    orchestratedRequestId = placed[0].headers.get('x-request-id') ?? '';
    for (const answer of placed) await orderUntil(customer, answer.body.id, ['SHIPPED'], 60_000);
    after = await scrapeAll();
  });

  afterAll(async () => {
    await receiver?.close();
  });

  /** Waits until the trace has a span passing `test` whose ancestry reaches the gateway's span of the order. */
  async function chainTo(traceId: string, parentSpanId: string, what: string, test: (span: ReceivedSpan) => boolean): Promise<ReceivedSpan[]> {
    try {
      return await until(
        `${what} in trace ${traceId}, linked back to the gateway`,
        async () => {
          const spans = receiver.spans(traceId);
          for (const span of spans.filter(test)) {
            const chain = ancestry(span, spans);
            const root = chain[chain.length - 1];
            if (root.service === 'gateway' && root.kind === SpanKind.SERVER && root.parentSpanId === parentSpanId) return chain;
          }
          return undefined;
        },
        30_000,
      );
    } catch (error) {
      const received = receiver.spans(traceId).map((span) => `${span.service}:${span.name}`);
      throw new Error(`${(error as Error).message}; ${receiver.exportCount} exports received, spans of this trace: ${received.join(', ') || 'none'}`);
    }
  }

  it('links the gateway, order, inventory, payment, a Kafka consumer and the shipping queue consumer in one trace (orchestration)', async () => {
    const chain = await chainTo(orchestrated.traceId, orchestrated.spanId, 'the shipping worker consuming the task', isConsumer('rabbitmq'));
    expect(chain[0].service).toBe('shipping-worker');
    expect(chain[chain.length - 1].name).toBe('POST /api/orders');
    // worker <- RabbitMQ publish by the shipping app's relay <- shipping's Kafka consumer <- ... <- order <- gateway
    const services = chain.map((span) => span.service);
    expect(services).toEqual(expect.arrayContaining(['shipping-worker', 'shipping', 'order', 'gateway']));
    expect(chain.some((span) => span.service === 'shipping' && isConsumer('kafka')(span))).toBe(true);
    expect(chain.some((span) => span.kind === SpanKind.PRODUCER && span.attributes['messaging.system'] === 'rabbitmq')).toBe(true);

    // Each process exports on its own schedule: the worker's spans can arrive before payment's or inventory's batch.
    const servedIn = (spans: ReceivedSpan[], service: string): string[] =>
      spans.filter((span) => span.service === service && span.kind === SpanKind.SERVER).map((span) => span.name);
    const spans = await until('the gRPC server spans of inventory and payment in the trace', async () => {
      const received = receiver.spans(orchestrated.traceId);
      const arrived = servedIn(received, 'inventory').some((name) => name.includes('InventoryService/Reserve'))
        && servedIn(received, 'payment').some((name) => name.includes('PaymentService/Charge'));
      return arrived ? received : undefined;
    }, 30_000).catch(() => receiver.spans(orchestrated.traceId));
    const served = (service: string): string[] => servedIn(spans, service);
    expect(served('order')).toEqual(expect.arrayContaining([expect.stringMatching(/^POST /)]));
    expect(served('inventory')).toEqual(expect.arrayContaining([expect.stringContaining('InventoryService/Reserve')]));
    expect(served('payment')).toEqual(expect.arrayContaining([expect.stringContaining('PaymentService/Charge')]));
    expect(spans.some((span) => span.service === 'order' && (span.attributes['db.system.name'] ?? span.attributes['db.system']) === 'postgresql')).toBe(true);
  });

  it('carries the trace through the outbox and Kafka from one saga participant to the next (choreography)', async () => {
    const chain = await chainTo(choreographed.traceId, choreographed.spanId, 'the shipping worker consuming the task', isConsumer('rabbitmq'));
    expect(chain.map((span) => span.service)).toEqual(expect.arrayContaining(['shipping-worker', 'shipping', 'order', 'gateway']));
    for (const participant of ['inventory', 'payment']) {
      const reached = await chainTo(choreographed.traceId, choreographed.spanId, `${participant} consuming a saga event`, (span) => span.service === participant && isConsumer('kafka')(span));
      // participant's consumer span <- Kafka publish by a relay <- the transaction that wrote the outbox row
      expect(reached[1].kind).toBe(SpanKind.PRODUCER);
      expect(reached[1].attributes['messaging.system']).toBe('kafka');
    }
  });

  it('serves the metrics of every dashboard family on every app', () => {
    const named = (app: string, names: readonly string[]) => names.filter((name) => !exports(after.get(app)!, name)).map((name) => `${app}: ${name}`);
    const hasSamples = (app: string, names: readonly string[]) =>
      names.filter((name) => !after.get(app)!.samples.some((sample) => sample.name === name)).map((name) => `${app}: ${name} (no sample)`);
    const missing = [
      ...APPS.flatMap((app) => named(app.name, ['shop_http_server_request_duration_seconds', 'process_start_time_seconds', 'nodejs_eventloop_lag_p99_seconds'])),
      ...GRPC_APPS.flatMap((app) => named(app, ['shop_grpc_server_duration_seconds'])),
      ...OUTBOX_APPS.flatMap((app) => hasSamples(app, ['shop_outbox_backlog', 'shop_outbox_oldest_unsent_age_seconds'])),
      ...KAFKA_CONSUMER_APPS.flatMap((app) => hasSamples(app, ['shop_kafka_consumer_lag', 'shop_messages_consumed_total'])),
      ...hasSamples('order', ['shop_saga_outcomes_total', 'shop_saga_duration_seconds_count', 'shop_breaker_state']),
      ...named('order', ['shop_saga_compensations_total', 'shop_dependency_call_duration_seconds']),
      ...hasSamples('gateway', ['shop_breaker_state']),
      ...named('gateway', ['shop_fallbacks_total']),
      ...hasSamples('payment', ['shop_event_store_appends_total', 'shop_event_store_events_total']),
      ...['shipping-worker-1', 'shipping-worker-2'].flatMap((app) => hasSamples(app, ['shop_queue_depth'])),
      ...['shipping-worker-1', 'shipping-worker-2'].flatMap((app) => named(app, ['shop_queue_tasks_total'])),
    ];
    expect(missing).toEqual([]);
    const depthOf = (queue: RegExp) => after.get('shipping-worker-1')!.samples.some((s) => s.name === 'shop_queue_depth' && queue.test(s.labels.queue ?? ''));
    expect([depthOf(/\.v1$/), depthOf(/\.retry$/), depthOf(/\.dlq$/)]).toEqual([true, true, true]);
  });

  it('moves the request, saga, messaging, queue and event-store metrics when orders are placed', () => {
    const grew = (app: string, name: string, labels: Record<string, string | RegExp> = {}) =>
      sumOf(after.get(app)!, name, labels) - sumOf(before.get(app)!, name, labels);
    const workers = (name: string, labels: Record<string, string | RegExp>) => grew('shipping-worker-1', name, labels) + grew('shipping-worker-2', name, labels);
    const moved = {
      gatewayOrders: grew('gateway', 'shop_http_server_request_duration_seconds_count', { method: 'POST', route: '/api/orders', status: '202' }),
      userRequests: grew('user', 'shop_http_server_request_duration_seconds_count'),
      orchestrationConfirmed: grew('order', 'shop_saga_outcomes_total', { style: 'orchestration', outcome: 'confirmed' }),
      choreographyConfirmed: grew('order', 'shop_saga_outcomes_total', { style: 'choreography', outcome: 'confirmed' }),
      sagaDurations: grew('order', 'shop_saga_duration_seconds_count'),
      orderOutboxPublishes: grew('order', 'shop_outbox_publish_lag_seconds_count'),
      inventoryReserveCalls: grew('inventory', 'shop_grpc_server_duration_seconds_count', { method: /InventoryService\/Reserve$/, code: 'OK' }),
      paymentChargeCalls: grew('payment', 'shop_grpc_server_duration_seconds_count', { method: /PaymentService\/Charge$/, code: 'OK' }),
      eventStoreAppends: grew('payment', 'shop_event_store_appends_total', { outcome: 'appended' }),
      shippingConsumed: grew('shipping', 'shop_messages_consumed_total', { outcome: 'handled' }),
      recommendationConsumed: grew('recommendation', 'shop_messages_consumed_total', { outcome: 'handled' }),
      tasksDone: workers('shop_queue_tasks_total', { outcome: 'done' }),
    };
    const minimum: Record<keyof typeof moved, number> = {
      gatewayOrders: 2,
      userRequests: 2,
      orchestrationConfirmed: 1,
      choreographyConfirmed: 1,
      sagaDurations: 2,
      orderOutboxPublishes: 2,
      inventoryReserveCalls: 1,
      paymentChargeCalls: 1,
      eventStoreAppends: 3,
      shippingConsumed: 2,
      recommendationConsumed: 2,
      tasksDone: 2,
    };
    const short = (Object.keys(minimum) as Array<keyof typeof moved>)
      .filter((key) => moved[key] < minimum[key])
      .map((key) => `${key}: +${moved[key]}, expected at least +${minimum[key]}`);
    expect(short).toEqual([]);
  });

  it('charts in its Grafana dashboards only metrics that the apps export', () => {
    const exported = (name: string) => [...after.values()].some((scrape) => exports(scrape, name));
    const unknown = dashboardQueries().flatMap((query) =>
      metricNamesIn(query.expr)
        .filter((name) => !exported(name))
        .map((name) => `${query.dashboard} / ${query.panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('writes JSON log lines with the service, and the trace, span and request ids of the request, and no password or token', () => {
    const lines = logLinesSince(logSizesAtStart);
    expect(lines.length).toBeGreaterThan(0);
    const records = lines.map(({ file, line }) => {
      try {
        return { file, record: JSON.parse(line) as Record<string, unknown> };
      } catch {
        throw new Error(`${file}: not a JSON line: ${line.slice(0, 200)}`);
      }
    });
    expect(records.filter(({ record }) => typeof record.service !== 'string').map(({ file }) => file)).toEqual([]);

    const access = records.find(({ record }) => record.service === 'gateway' && record.trace_id === orchestrated.traceId && record.msg === 'access');
    expect(access?.record).toEqual(
      expect.objectContaining({ service: 'gateway', trace_id: orchestrated.traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/), reqId: orchestratedRequestId }),
    );
    const traced = records.filter(({ record }) => record.trace_id !== undefined);
    expect(traced.filter(({ record }) => typeof record.span_id !== 'string').map(({ file }) => file)).toEqual([]);

    const token = customer.token;
    const leaks = lines.filter(({ line }) => line.includes(password) || line.includes(token) || line.includes(token.split('.')[2]) || /bearer /i.test(line));
    expect(leaks.map(({ file, line }) => `${file}: ${line.slice(0, 200)}`)).toEqual([]);
  });
});
