import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import Fastify, { type FastifyInstance } from 'fastify';
import { request as httpRequest } from 'node:http';
import { acceptedRequestId, inRequestContext, traceFastifyRequests } from './fastify-tracing';
import { logCorrelation, requestIdOf } from './trace-context';
import { tracingSampler } from './telemetry';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ sampler: tracingSampler(true), spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;

let app: FastifyInstance;
let baseUrl: string;
const atResponseEnd: Array<ReturnType<typeof logCorrelation>> = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  app = Fastify({ requestIdHeader: false, genReqId: acceptedRequestId });
  traceFastifyRequests(app);
  app.addHook('onResponse', (request, _reply, done) => {
    atResponseEnd.push(inRequestContext(request, () => logCorrelation()));
    done();
  });
  app.get('/items/:id', async () => ({
    ...logCorrelation(),
    requestId: requestIdOf(),
    baggage: Object.fromEntries((propagation.getActiveBaggage()?.getAllEntries() ?? []).map(([key, entry]) => [key, entry.value])),
  }));
  app.post('/items', async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return logCorrelation();
  });
  app.get('/broken', async () => {
    throw new Error('defect');
  });
  app.get('/health', async () => ({ status: 'ok' }));
  // A real socket: a request body arrives in the socket's async context, not in the request's.
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});

/** A POST whose body leaves a while after its headers, so the server reads it in a later turn of the socket. */
function postLater(path: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    request.on('error', reject);
    request.flushHeaders();
    setTimeout(() => request.end(JSON.stringify(body)), 30);
  });
}

async function call(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, { headers });
  return { status: response.status, body: await response.json() };
}

afterAll(async () => {
  await app.close();
  await provider.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
});

beforeEach(() => {
  exporter.reset();
  atResponseEnd.length = 0;
});

describe('HTTP server spans from Fastify hooks', () => {
  it('continue the caller trace in a server span named by the route, with the request id in the baggage', async () => {
    const response = await call('/items/7?full=true', { traceparent, 'x-request-id': 'req-41' });
    const [span] = exporter.getFinishedSpans();
    expect(span).toEqual(
      expect.objectContaining({ name: 'GET /items/:id', kind: SpanKind.SERVER, parentSpanContext: expect.objectContaining({ spanId: CALLER_SPAN }) }),
    );
    expect(span.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span.attributes).toEqual(
      expect.objectContaining({ 'http.request.method': 'GET', 'http.route': '/items/:id', 'url.path': '/items/7', 'http.response.status_code': 200 }),
    );
    expect(response.body).toEqual({
      trace_id: CALLER_TRACE,
      span_id: span.spanContext().spanId,
      reqId: 'req-41',
      requestId: 'req-41',
      baggage: { 'request.id': 'req-41' },
    });
  });

  it("carry none of the caller's baggage, and replace a request id that is not a plausible one before it reaches the baggage", async () => {
    const response = await call('/items/7', { traceparent, 'x-request-id': 'req 43 <script>', baggage: 'request.id=spoofed,tenant=other' });
    const body = response.body as { reqId: string; requestId: string; baggage: Record<string, string> };
    expect(body.reqId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.requestId).toBe(body.reqId);
    expect(body.baggage).toEqual({ 'request.id': body.reqId });
  });

  it('run the handler of a request with a body, and code run on the response end, in the request context', async () => {
    const response = await postLater('/items', { traceparent, 'x-request-id': 'req-42' }, { name: 'desk' });
    const [span] = exporter.getFinishedSpans();
    const ids = { trace_id: CALLER_TRACE, span_id: span.spanContext().spanId, reqId: 'req-42' };
    expect(span.name).toBe('POST /items');
    expect(response.body).toEqual(ids);
    expect(atResponseEnd).toEqual([ids]);
  });

  it('mark a 5xx answer failed, start a new trace without a caller, and leave probes untraced', async () => {
    expect((await call('/broken')).status).toBe(500);
    expect((await call('/health')).status).toBe(200);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['GET /broken']);
    expect(spans[0].status.code).toBe(SpanStatusCode.ERROR);
    expect(spans[0].attributes['error.type']).toBe('500');
    expect(spans[0].parentSpanContext).toBeUndefined();
    expect(atResponseEnd[1]).toEqual({});
  });
});
