/**
 * Trace context across process boundaries (docs/observability.md). gRPC carries it through its instrumentation, the
 * gateway's HTTP calls through `startClientSpan`; messages carry it in their headers (W3C `traceparent`,
 * `tracestate`, `baggage`): the outbox stores the writing transaction's context with each row, producers send it,
 * consumers continue it. The request id
 * travels as the baggage entry `request.id`, so every hop's log lines can name the request that started the work.
 */
import {
  type Attributes,
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

export const TRACER_NAME = '@shop/platform';
export const REQUEST_ID_BAGGAGE_KEY = 'request.id';

export type ShopSpanKind = 'internal' | 'producer' | 'consumer' | 'client' | 'server';

const KINDS: Readonly<Record<ShopSpanKind, SpanKind>> = {
  internal: SpanKind.INTERNAL,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
  client: SpanKind.CLIENT,
  server: SpanKind.SERVER,
};

export interface ShopSpanOptions {
  readonly kind?: ShopSpanKind;
  readonly attributes?: Attributes;
  /** The parent: the active context unless given (e.g. the context carried by a message). */
  readonly parent?: Context;
}

/** The trace headers of `ctx` (the active context by default): traceparent, tracestate, baggage. Empty when untraced. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** True when the headers carry a trace context (a `traceparent`). */
export function hasTraceContext(headers: Readonly<Record<string, unknown>> | undefined): boolean {
  return headers !== undefined && headers.traceparent !== undefined;
}

/** The context carried by message headers (Kafka header values, AMQP header values of any type). */
export function contextFromHeaders(headers: Readonly<Record<string, unknown>> | undefined, base: Context = ROOT_CONTEXT): Context {
  const carrier: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') carrier[key] = value;
    else if (Buffer.isBuffer(value)) carrier[key] = value.toString();
  }
  return propagation.extract(base, carrier);
}

/** Starts a span without making it active (a producer span per message of a batch). End it with `endSpan`. */
export function startSpan(name: string, options: ShopSpanOptions = {}): Span {
  const parent = options.parent ?? context.active();
  return trace.getTracer(TRACER_NAME).startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: options.attributes }, parent);
}

/** A producer or client span with the headers that carry it to the next process. */
export interface OutgoingSpan {
  readonly span: Span;
  /** The headers to send: the span's context and the baggage it inherited (a message's own headers beside them). */
  readonly headers: Record<string, string>;
}

/**
 * A producer span for one outgoing message: a child of the trace context the message's headers already carry (an
 * outbox row's: the transaction that wrote it) or else of the active context. End it with `endSpan` once sent.
 */
export function startProducerSpan(name: string, attributes: Attributes, headers: Readonly<Record<string, string>>): OutgoingSpan {
  const parent = hasTraceContext(headers) ? contextFromHeaders(headers) : context.active();
  const span = startSpan(name, { kind: 'producer', attributes, parent });
  return { span, headers: { ...headers, ...traceHeaders(trace.setSpan(parent, span)) } };
}

/**
 * A client span for one outgoing HTTP call, a child of the active context, with the headers that carry it to the
 * server (which continues the trace). `attributes` is called only when the span records, so a process that exports
 * nothing builds none. End it with `endSpan` when the response has ended.
 */
export function startClientSpan(name: string, attributes: () => Attributes): OutgoingSpan {
  const parent = context.active();
  const span = startSpan(name, { kind: 'client', parent });
  if (span.isRecording()) span.setAttributes(attributes());
  return { span, headers: traceHeaders(trace.setSpan(parent, span)) };
}

/** Ends a span, marking it failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) markFailed(span, error);
  span.end();
}

/** Marks the active span failed, for work that handles its own error (a task sent back for a retry). */
export function failActiveSpan(error: unknown): void {
  const span = trace.getActiveSpan();
  if (span) markFailed(span, error);
}

function markFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Runs `work` in a new active span (a child of `options.parent` or of the active context); a throw marks it failed. */
export async function inSpan<T>(name: string, options: ShopSpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = startSpan(name, { ...options, parent });
  try {
    const result = await context.with(trace.setSpan(parent, span), () => work(span));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/** `ctx` with the request id in its baggage, so it travels with the trace context to every later hop. */
export function withRequestId(ctx: Context, requestId: string): Context {
  const baggage = propagation.getBaggage(ctx) ?? propagation.createBaggage();
  return propagation.setBaggage(ctx, baggage.setEntry(REQUEST_ID_BAGGAGE_KEY, { value: requestId }));
}

/** The request id carried by `ctx` (the active context by default), if any. */
export function requestIdOf(ctx: Context = context.active()): string | undefined {
  return propagation.getBaggage(ctx)?.getEntry(REQUEST_ID_BAGGAGE_KEY)?.value;
}

export interface LogCorrelation {
  trace_id?: string;
  span_id?: string;
  reqId?: string;
}

/** What ties a log line to its trace: trace id, span id and request id of the active context (none outside one). */
export function logCorrelation(): LogCorrelation {
  const active = context.active();
  const fields: LogCorrelation = {};
  const spanContext = trace.getSpanContext(active);
  if (spanContext && trace.isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
  }
  const requestId = requestIdOf(active);
  if (requestId) fields.reqId = requestId;
  return fields;
}
