/**
 * OpenTelemetry tracing for every app, set up in one place (docs/observability.md). It must start before pg and
 * @grpc/grpc-js are loaded, because instrumentations patch modules as they are required: each app's entry imports
 * `@shop/platform/telemetry` on its first line, which calls `startTelemetry()`.
 *
 * Every request and message gets a trace context (so log lines carry trace and span ids, and the ids travel to the
 * next hop); spans are recorded and exported over OTLP/HTTP only when OTEL_EXPORTER_OTLP_ENDPOINT is set, so a native
 * run needs nothing extra and pays for no span it would throw away.
 */
import { hostname } from 'node:os';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { z } from 'zod';
import { env, loadConfig } from '../config/load-config';
import { onTelemetryShutdown, telemetryServiceName } from './telemetry-state';

const telemetrySchema = z.object({
  /** Standard OTLP variable: base URL of an OTLP/HTTP receiver (a collector); `/v1/traces` is appended. Unset: no export. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((value) => (value === '' ? undefined : value), env.url('http', 'https').optional()),
  /** Overrides the name the app gives itself in runService (e.g. to tell two replicas apart). */
  OTEL_SERVICE_NAME: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional()),
  /** Delay between two exports of the batch span processor, in milliseconds. */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).max(60_000).default(2_000),
  /** Standard switch: `true` turns tracing off altogether (no spans, no trace ids in logs). */
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).default('false'),
});

export type TelemetryConfig = z.infer<typeof telemetrySchema>;

export function loadTelemetryConfig(source: NodeJS.ProcessEnv = process.env): TelemetryConfig {
  return loadConfig(telemetrySchema, source);
}

let provider: TracerProvider | undefined;

/**
 * Starts tracing once per process: AsyncLocalStorage context, W3C trace-context and baggage propagation, the gRPC
 * and PostgreSQL instrumentations (incoming HTTP is traced by startService's Fastify hooks, the gateway's outgoing
 * HTTP by its own client spans). The service name comes from OTEL_SERVICE_NAME or, later, from
 * `nameTelemetryService` (runService calls it with the app's name); exports wait for it.
 */
export function startTelemetry(config: TelemetryConfig = loadTelemetryConfig()): void {
  if (provider || config.OTEL_SDK_DISABLED === 'true') return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));

  const serviceName = config.OTEL_SERVICE_NAME ?? telemetryServiceName;
  const spanProcessors: SpanProcessor[] = [];
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
    const exporter = new OTLPTraceExporter({ url: `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`, timeoutMillis: 5_000 });
    spanProcessors.push(new BatchSpanProcessor({ exporter, scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY }));
  }
  provider = new TracerProvider({
    sampler: tracingSampler(spanProcessors.length > 0),
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: serviceName,
      'service.namespace': 'shop',
      'service.instance.id': `${hostname()}:${process.pid}`,
    }),
    spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);
  onTelemetryShutdown(() => stopTelemetry());
  registerInstrumentations({ tracerProvider: provider, instrumentations: instrumentations() });
}

/**
 * Exporting: every trace is recorded (a caller's decision, carried in `traceparent`, is followed). Not exporting: a
 * new trace is not recorded, so its spans are non-recording: they still have ids, which the log lines and the
 * propagated headers carry, but collect no attributes, events or timings that nobody would receive. A trace that a
 * caller records (its `traceparent` says sampled) is recorded here too, so a process without an exporter never cuts
 * the trace of processes that export.
 */
export function tracingSampler(exporting: boolean): Sampler {
  return new ParentBasedSampler({ root: exporting ? new AlwaysOnSampler() : new AlwaysOffSampler() });
}

/**
 * Incoming HTTP requests are traced by Fastify hooks (fastify-tracing.ts), not by the node:http instrumentation; the
 * only outgoing node:http calls are the OTLP exporter's own. The gateway's calls to the services (undici) make their
 * client span themselves (gateway/src/clients/upstream-http.ts, `startClientSpan`): the undici instrumentation did the
 * same through diagnostics channels for about 15% of the gateway's CPU per forwarded request (docs/observability.md).
 */
function instrumentations(): Instrumentation[] {
  return [
    new GrpcInstrumentation(),
    // Only queries inside a traced operation: the outbox relay's and saga poller's idle polls would be noise.
    // Statement parameters are never recorded (enhancedDatabaseReporting stays off): they may hold personal data.
    new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true, enhancedDatabaseReporting: false }),
  ];
}

/** Exports the spans still buffered and stops; bounded, so a missing collector cannot hold the exit. */
async function stopTelemetry(timeoutMs = 3_000): Promise<void> {
  const current = provider;
  if (!current) return;
  provider = undefined;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    current.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
