import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { DomainError } from '../errors/domain-error';
import { ERROR_TABLE, GrpcStatus } from '../errors/error-table';
import { databaseUnavailable } from '../errors/transient';
import { type Logger } from '../logging/logger';

/** Maps errors thrown by gRPC handlers to gRPC status codes through the same error table as HTTP. */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): Observable<never> {
    if (host.getType() !== 'rpc') return throwError(() => error);
    if (error instanceof RpcException) return throwError(() => error.getError());
    // A database that cannot be used right now is UNAVAILABLE, which callers' policies retry, not INTERNAL.
    const domainError = error instanceof DomainError ? error : databaseUnavailable(error);
    if (domainError !== undefined) {
      if (domainError !== error) this.logger.error({ err: error }, 'gRPC handler failed: database unavailable');
      return throwError(() => ({ code: ERROR_TABLE[domainError.category].grpc, message: domainError.message }));
    }
    this.logger.error({ err: error }, 'gRPC handler failed');
    return throwError(() => ({ code: GrpcStatus.INTERNAL, message: 'Internal error' }));
  }
}
