import { type ErrorCategory } from './domain-error';

/** gRPC status codes (grpc/status.proto), spelled out so this file stays framework-free. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

export interface ErrorMapping {
  readonly http: number;
  readonly httpError: string;
  readonly grpc: GrpcStatusCode;
}

/** The one table that maps an error category to HTTP and gRPC. Services and the gateway use only this. */
export const ERROR_TABLE: Readonly<Record<ErrorCategory, ErrorMapping>> = {
  invalid: { http: 400, httpError: 'Bad Request', grpc: GrpcStatus.INVALID_ARGUMENT },
  unauthenticated: { http: 401, httpError: 'Unauthorized', grpc: GrpcStatus.UNAUTHENTICATED },
  forbidden: { http: 403, httpError: 'Forbidden', grpc: GrpcStatus.PERMISSION_DENIED },
  not_found: { http: 404, httpError: 'Not Found', grpc: GrpcStatus.NOT_FOUND },
  conflict: { http: 409, httpError: 'Conflict', grpc: GrpcStatus.ALREADY_EXISTS },
  payload_too_large: { http: 413, httpError: 'Payload Too Large', grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  unprocessable: { http: 422, httpError: 'Unprocessable Entity', grpc: GrpcStatus.FAILED_PRECONDITION },
  rate_limited: { http: 429, httpError: 'Too Many Requests', grpc: GrpcStatus.RESOURCE_EXHAUSTED },
  internal: { http: 500, httpError: 'Internal Server Error', grpc: GrpcStatus.INTERNAL },
  unavailable: { http: 503, httpError: 'Service Unavailable', grpc: GrpcStatus.UNAVAILABLE },
  timeout: { http: 504, httpError: 'Gateway Timeout', grpc: GrpcStatus.DEADLINE_EXCEEDED },
};

const HTTP_TO_CATEGORY: ReadonlyMap<number, ErrorCategory> = new Map(
  (Object.entries(ERROR_TABLE) as [ErrorCategory, ErrorMapping][]).map(([category, mapping]) => [mapping.http, category]),
);

const GRPC_TO_CATEGORY: ReadonlyMap<number, ErrorCategory> = new Map<number, ErrorCategory>([
  [GrpcStatus.INVALID_ARGUMENT, 'invalid'],
  [GrpcStatus.OUT_OF_RANGE, 'invalid'],
  [GrpcStatus.UNAUTHENTICATED, 'unauthenticated'],
  [GrpcStatus.PERMISSION_DENIED, 'forbidden'],
  [GrpcStatus.NOT_FOUND, 'not_found'],
  [GrpcStatus.ALREADY_EXISTS, 'conflict'],
  [GrpcStatus.ABORTED, 'conflict'],
  [GrpcStatus.FAILED_PRECONDITION, 'unprocessable'],
  [GrpcStatus.RESOURCE_EXHAUSTED, 'unavailable'],
  [GrpcStatus.UNAVAILABLE, 'unavailable'],
  [GrpcStatus.CANCELLED, 'unavailable'],
  [GrpcStatus.DEADLINE_EXCEEDED, 'timeout'],
]);

/** Category of an upstream HTTP status, for the gateway's mapping of upstream errors. */
export function categoryOfHttpStatus(status: number): ErrorCategory {
  return HTTP_TO_CATEGORY.get(status) ?? (status >= 500 ? 'unavailable' : 'invalid');
}

/** Category of a gRPC status received from a downstream call. */
export function categoryOfGrpcStatus(code: number): ErrorCategory {
  return GRPC_TO_CATEGORY.get(code) ?? 'internal';
}

/**
 * gRPC codes worth a retry: the call did not reach a healthy server, so repeating it is safe for idempotent RPCs.
 * Not RESOURCE_EXHAUSTED: a reply too large for the client is as large the second time, and a server shedding load
 * is not helped by a second request.
 */
export function isRetryableGrpcStatus(code: number): boolean {
  return code === GrpcStatus.UNAVAILABLE;
}
