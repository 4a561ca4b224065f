import { type INestApplication, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type MicroserviceOptions, Transport } from '@nestjs/microservices';
import { collectDefaultMetrics, register } from 'prom-client';
import { ConfigError } from '../config/load-config';
import { HealthRegistry } from '../health/health-registry';
import { createLogger, type Logger, NestPinoLogger } from '../logging/logger';
import { GrpcMetricsInterceptor } from '../metrics/grpc-metrics.interceptor';
import { measureFastifyRequests } from '../metrics/http-metrics';
import { acceptedRequestId, inRequestContext, traceFastifyRequests } from '../telemetry/fastify-tracing';
import { nameTelemetryService } from '../telemetry/telemetry-state';

const EVENT_LOOP_SAMPLE_MS = 100;

export interface GrpcServerOptions {
  /** host:port to listen on, e.g. 0.0.0.0:50053 */
  readonly url: string;
  /** proto packages served, e.g. ['shop.inventory.v1'] */
  readonly packages: readonly string[];
  /** absolute paths of the .proto files */
  readonly protoPaths: readonly string[];
  readonly protoRoot: string;
}

export interface StartServiceOptions {
  readonly service: string;
  readonly logger: Logger;
  readonly module: Type | DynamicModule;
  readonly httpPort: number;
  readonly host?: string;
  readonly bodyLimitBytes?: number;
  readonly grpc?: GrpcServerOptions;
  /** Log one line per request; the gateway turns it on, services leave it to the gateway's line. */
  readonly accessLog?: boolean;
}

/**
 * Starts one app: Fastify HTTP (health, metrics, routes), an optional gRPC server, and graceful shutdown
 * on SIGTERM/SIGINT: readiness turns 503 first, servers and consumers stop, then pools close.
 */
export async function startService(options: StartServiceOptions): Promise<INestApplication> {
  const { logger } = options;
  // Once per process: a spec may start two instances of an app side by side. The event-loop delay is sampled every
  // 100 ms rather than prom-client's default 10 ms: ten wake-ups a second instead of a hundred, per app, for a
  // histogram that Prometheus reads every few seconds.
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) {
    collectDefaultMetrics({ labels: { service: options.service }, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  }
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024,
    // The caller's x-request-id when it is a plausible id, a fresh one otherwise (acceptedRequestId).
    requestIdHeader: false,
    genReqId: acceptedRequestId,
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  traceFastifyRequests(fastify);
  measureFastifyRequests(fastify);
  // Hooks on every request take `done` rather than being async: no promise per hook per request.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    done(null, payload);
  });
  if (options.accessLog) {
    fastify.addHook('onResponse', (request, reply, done) => {
      // The response ends outside the request's code: the line takes the request's trace and span ids explicitly.
      inRequestContext(request, () =>
        logger.info(
          { reqId: request.id, method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
          'access',
        ),
      );
      done();
    });
  }
  app.enableShutdownHooks();
  if (options.grpc) {
    // Nest gives each handler the global interceptors there are when it registers the handler: HTTP routes at
    // init(), gRPC handlers at connectMicroservice(). The gRPC metrics interceptor is added in between, so HTTP
    // requests do not go through Nest's interceptor pipeline (RxJS observables per request) for an interceptor that
    // would only pass them on. (HTTP requests are measured by a Fastify hook, measureFastifyRequests.)
    await app.init();
    app.useGlobalInterceptors(new GrpcMetricsInterceptor());
    app.connectMicroservice<MicroserviceOptions>(
      {
        transport: Transport.GRPC,
        options: {
          url: options.grpc.url,
          package: [...options.grpc.packages],
          protoPath: [...options.grpc.protoPaths],
          loader: { keepCase: false, longs: Number, defaults: true, oneofs: true, includeDirs: [options.grpc.protoRoot] },
        },
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
  }
  const health = app.get(HealthRegistry);
  const stop = (): void => health.markShuttingDown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await app.listen({ port: options.httpPort, host: options.host ?? '0.0.0.0' });
  logger.info({ httpPort: options.httpPort, grpc: options.grpc?.url }, `${options.service} started`);
  return app;
}

/**
 * The body of every `main.ts`: load config (exit 1 naming a bad variable), start, and turn any start-up
 * failure into a logged, non-zero exit.
 */
export async function runService(service: string, start: () => Promise<unknown>): Promise<void> {
  nameTelemetryService(service);
  try {
    await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: ${error.message}\n`);
    } else {
      createLogger(service).fatal({ err: error }, `${service} failed to start`);
    }
    process.exit(1);
  }
}
