import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import {
  contextFromHeaders,
  endSpan,
  failActiveSpan,
  hasTraceContext,
  inSpan,
  logCorrelation,
  requestIdOf,
  startClientSpan,
  startProducerSpan,
  traceHeaders,
  withRequestId,
} from './trace-context';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

beforeEach(() => exporter.reset());

const finished = () => exporter.getFinishedSpans();

describe('trace context in message headers', () => {
  it('writes the active span into W3C headers and reads it back, with the request id in the baggage', async () => {
    await inSpan('write', {}, async (span) => {
      const headers = traceHeaders(withRequestId(context.active(), 'req-1'));
      expect(headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
      expect(hasTraceContext(headers)).toBe(true);
      const carried = contextFromHeaders(headers);
      expect(trace.getSpanContext(carried)?.traceId).toBe(span.spanContext().traceId);
      expect(requestIdOf(carried)).toBe('req-1');
    });
  });

  it('writes no header outside a trace, and reads AMQP header values given as buffers', () => {
    expect(traceHeaders(ROOT_CONTEXT)).toEqual({});
    expect(hasTraceContext({})).toBe(false);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const carried = contextFromHeaders({ traceparent: Buffer.from(traceparent), 'x-attempts': 2 });
    expect(trace.getSpanContext(carried)?.spanId).toBe('b7ad6b7169203331');
  });
});

describe('producer spans', () => {
  it('continue the context an outbox row carries, not the context that publishes it', async () => {
    let written: Record<string, string> = {};
    let writerTrace = '';
    await inSpan('transaction that writes the row', {}, async (span) => {
      writerTrace = span.spanContext().traceId;
      written = traceHeaders(withRequestId(context.active(), 'req-2'));
    });
    await inSpan('relay poll', {}, async () => {
      const { span, headers } = startProducerSpan('orders.events.v1 publish', { 'messaging.system': 'kafka' }, { ...written, 'message-id': 'm-1' });
      endSpan(span);
      expect(headers['message-id']).toBe('m-1');
      expect(headers.traceparent).toBe(`00-${writerTrace}-${span.spanContext().spanId}-01`);
      expect(requestIdOf(contextFromHeaders(headers))).toBe('req-2');
    });
    const publish = finished().find((span) => span.name === 'orders.events.v1 publish');
    const writer = finished().find((span) => span.name === 'transaction that writes the row');
    expect(publish?.kind).toBe(SpanKind.PRODUCER);
    expect(publish?.parentSpanContext?.spanId).toBe(writer?.spanContext().spanId);
  });

  it('are children of the active span when the message carries no context, and failed when the send failed', async () => {
    await inSpan('request', {}, async (request) => {
      const { span, headers } = startProducerSpan('user-activity.v1 publish', {}, {});
      endSpan(span, new Error('broker down'));
      expect(headers.traceparent).toContain(request.spanContext().traceId);
    });
    const publish = finished().find((span) => span.name === 'user-activity.v1 publish');
    expect(publish?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'broker down' });
  });
});

describe('client spans', () => {
  it('are children of the active span, with their attributes, and their context and baggage in the headers to send', async () => {
    await inSpan('GET /api/products/:id', { kind: 'server', parent: withRequestId(ROOT_CONTEXT, 'req-4') }, async (server) => {
      const { span, headers } = startClientSpan('GET', () => ({ 'http.request.method': 'GET', 'peer.service': 'inventory' }));
      endSpan(span);
      expect(headers.traceparent).toBe(`00-${server.spanContext().traceId}-${span.spanContext().spanId}-01`);
      expect(requestIdOf(contextFromHeaders(headers))).toBe('req-4');
    });
    const client = finished().find((span) => span.kind === SpanKind.CLIENT);
    const server = finished().find((span) => span.kind === SpanKind.SERVER);
    expect(client?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(client?.attributes).toEqual({ 'http.request.method': 'GET', 'peer.service': 'inventory' });
  });

  it('build no attributes when the trace is not recorded, and still send its ids', async () => {
    const unsampled = contextFromHeaders({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' });
    const attributes = jest.fn(() => ({ 'peer.service': 'order' }));
    const { span, headers } = context.with(unsampled, () => startClientSpan('POST', attributes));
    endSpan(span);
    expect(span.isRecording()).toBe(false);
    expect(attributes).not.toHaveBeenCalled();
    expect(headers.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-00`);
    expect(finished()).toEqual([]);
  });
});

describe('consumer spans', () => {
  it('run the handler inside the span, so its own spans and log fields belong to the carried trace', async () => {
    const carried = contextFromHeaders({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const fields = await inSpan('orders.events.v1 process', { kind: 'consumer', parent: withRequestId(carried, 'req-3') }, async () => logCorrelation());
    const consumed = finished().find((span) => span.name === 'orders.events.v1 process');
    expect(consumed?.kind).toBe(SpanKind.CONSUMER);
    expect(consumed?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(fields).toEqual({ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: consumed?.spanContext().spanId, reqId: 'req-3' });
  });

  it('are marked failed when the handler throws, and rethrow', async () => {
    await expect(inSpan('failing', {}, async () => Promise.reject(new Error('handler failed')))).rejects.toThrow('handler failed');
    expect(finished()[0].status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler failed' });
  });

  it('can be marked failed by work that handles its own error', async () => {
    await inSpan('task sent back for a retry', {}, async () => failActiveSpan(new Error('retry later')));
    expect(finished()[0].status.code).toBe(SpanStatusCode.ERROR);
    expect(finished()[0].events.map((event) => event.name)).toEqual(['exception']);
  });
});

describe('log correlation', () => {
  it('adds nothing outside a trace', () => {
    expect(logCorrelation()).toEqual({});
  });
});
