import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { Histogram } from 'prom-client';
import { type Observable, tap } from 'rxjs';
import { DomainError } from '../errors/domain-error';
import { ERROR_TABLE, GrpcStatus } from '../errors/error-table';

/** Rate, errors and duration (RED) per RPC: `_count` by code gives rates and error ratios. */
export const grpcServerDuration = new Histogram({
  name: 'shop_grpc_server_duration_seconds',
  help: 'gRPC calls served, by full method name and status code',
  labelNames: ['method', 'code'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

const STATUS_NAMES = new Map<number, string>(Object.entries(GrpcStatus).map(([name, code]) => [code, name]));

/** The status a handler's error leaves as: the error table's for domain errors, INTERNAL for the unexpected. */
export function grpcStatusOf(error: unknown): string {
  if (error instanceof DomainError) return STATUS_NAMES.get(ERROR_TABLE[error.category].grpc) ?? 'UNKNOWN';
  const raw = error instanceof RpcException ? error.getError() : error;
  const code = typeof raw === 'object' && raw !== null ? (raw as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? (STATUS_NAMES.get(code) ?? 'UNKNOWN') : 'INTERNAL';
}

/** `/shop.inventory.v1.InventoryService/Reserve` from grpc-js's call object, or the handler's name. */
function methodOf(context: ExecutionContext): string {
  const call: unknown = context.getArgByIndex(2);
  const path = typeof call === 'object' && call !== null ? (call as { getPath?: () => string }).getPath?.() : undefined;
  return path ?? `${context.getClass().name}.${context.getHandler().name}`;
}

/** Times every gRPC handler of the app (given to the gRPC handlers only, by startService); HTTP has its Fastify hook. */
@Injectable()
export class GrpcMetricsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const stop = grpcServerDuration.startTimer({ method: methodOf(context) });
    return next.handle().pipe(
      tap({
        complete: () => stop({ code: 'OK' }),
        error: (error: unknown) => stop({ code: grpcStatusOf(error) }),
      }),
    );
  }
}
