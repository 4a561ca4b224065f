import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HealthHttpController } from '../health/health.http-controller';
import { HealthRegistry } from '../health/health-registry';
import { HttpExceptionFilter } from '../http/http-exception.filter';
import { type Logger } from '../logging/logger';
import { MetricsHttpController } from '../metrics/metrics.http-controller';

export const LOGGER = Symbol('LOGGER');
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/** What every app gets: /health, /health/ready, /metrics, the JSON logger and the error mapping. */
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
        { provide: APP_FILTER, useFactory: (logger: Logger) => new HttpExceptionFilter(logger), inject: [LOGGER] },
      ],
      exports: [HealthRegistry, LOGGER, SERVICE_NAME],
    };
  }
}
