import { credentials, type Client, type ClientUnaryCall, Metadata, type ServiceError, type CallOptions } from '@grpc/grpc-js';
import { DomainError } from '../errors/domain-error';
import { categoryOfGrpcStatus, GrpcStatus } from '../errors/error-table';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export interface UnaryCallOptions {
  /** Every call has a deadline: gRPC sets none by default. */
  readonly deadlineMs: number;
  readonly requestId?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * A gRPC failure as received, with its status code, so resilience policies can decide whether to retry. Its message
 * keeps grpc-js's details (`connect ECONNREFUSED 10.0.3.7:50054`, `remote_addr=...`) for the log; a client is told
 * only which dependency failed (publicMessage in http/http-exception.filter.ts).
 */
export class GrpcCallError extends DomainError {
  constructor(
    readonly grpcCode: number,
    readonly dependency: string,
    message: string,
  ) {
    super(`DEPENDENCY.${statusName(grpcCode)}`, categoryOfGrpcStatus(grpcCode), `${dependency}: ${message}`, { dependency, grpcCode });
    this.name = 'GrpcCallError';
  }
}

function statusName(code: number): string {
  return Object.entries(GrpcStatus).find(([, value]) => value === code)?.[0] ?? 'UNKNOWN';
}

/**
 * Creates a generated (ts-proto, grpc-js) client for `address` with keep-alive and no TLS inside the cluster.
 * Reconnect backoff is capped at 2 s (grpc-js defaults to up to 120 s): the caller's circuit breaker already
 * decides when to stop trying, and a restarted server must be reachable again as soon as it listens.
 */
export function createGrpcClient<C extends Client>(
  ClientClass: new (address: string, creds: ReturnType<typeof credentials.createInsecure>, options?: object) => C,
  address: string,
): C {
  return new ClientClass(address, credentials.createInsecure(), {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.enable_retries': 0,
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 2_000,
  });
}

/**
 * Calls one unary method of a generated client as a promise, with a deadline, the request id in metadata,
 * cancellation through an AbortSignal, and errors turned into DomainErrors through the error table.
 */
export function callUnary<Req, Res>(
  dependency: string,
  client: Client,
  method: UnaryMethod<Req, Res>,
  request: Req,
  options: UnaryCallOptions,
): Promise<Res> {
  const metadata = new Metadata();
  if (options.requestId) metadata.set('x-request-id', options.requestId);
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  return new Promise<Res>((resolve, reject) => {
    const call = method.call(client, request, metadata, { deadline: Date.now() + options.deadlineMs }, (error, response) => {
      options.signal?.removeEventListener('abort', abort);
      if (error) reject(new GrpcCallError(error.code, dependency, error.details || error.message));
      else resolve(response);
    });
    const abort = (): void => call.cancel();
    options.signal?.addEventListener('abort', abort, { once: true });
  });
}
