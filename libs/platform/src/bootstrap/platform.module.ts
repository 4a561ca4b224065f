import { type ArgumentsHost, Catch, type DynamicModule, type ExceptionFilter, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthHttpController } from '../health/health.http-controller';
import { HealthRegistry } from '../health/health-registry';
import { GrpcExceptionFilter } from '../grpc/grpc-exception.filter';
import { HttpExceptionFilter } from '../http/http-exception.filter';
import { flushLogs, type Logger } from '../logging/logger';
import { MetricsHttpController } from '../metrics/metrics.http-controller';
import { shutdownTelemetry } from '../telemetry/telemetry-state';

/** One global filter: errors from HTTP routes and from gRPC handlers both go through the error table. */
@Catch()
class ErrorMappingFilter implements ExceptionFilter {
  private readonly http: HttpExceptionFilter;
  private readonly grpc: GrpcExceptionFilter;
  constructor(logger: Logger) {
    this.http = new HttpExceptionFilter(logger);
    this.grpc = new GrpcExceptionFilter(logger);
  }
  catch(error: unknown, host: ArgumentsHost): unknown {
    return host.getType() === 'rpc' ? this.grpc.catch(error, host) : this.http.catch(error, host);
  }
}

export const LOGGER = Symbol('LOGGER');

/**
 * Last step of a graceful stop: the spans still buffered are exported (bounded: a missing collector cannot hold the
 * exit), then the log lines still buffered are written (Nest ends the process with the signal right after, and a
 * process ended by a signal runs no exit handler).
 */
class ShutdownFlush implements OnApplicationShutdown {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry();
    await flushLogs(this.logger);
  }
}

export const SERVICE_NAME = Symbol('SERVICE_NAME');

/**
 * What every app gets: /health, /health/ready, /metrics, the JSON logger and the error mapping (startService adds
 * the RED metrics per route and per gRPC method).
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: { service: string; logger: Logger }): DynamicModule {
    return {
      module: PlatformModule,
      controllers: [HealthHttpController, MetricsHttpController],
      providers: [
        HealthRegistry,
        { provide: LOGGER, useValue: options.logger },
        { provide: SERVICE_NAME, useValue: options.service },
        { provide: APP_FILTER, useFactory: (logger: Logger) => new ErrorMappingFilter(logger), inject: [LOGGER] },
        ShutdownFlush,
      ],
      exports: [HealthRegistry, LOGGER, SERVICE_NAME],
    };
  }
}
