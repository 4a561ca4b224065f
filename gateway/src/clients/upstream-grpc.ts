/**
 * Request-response over gRPC (docs/patterns/02-request-response.md) from the gateway: one generated client
 * per upstream, every call with a deadline and the request id in metadata, under the upstream's
 * DependencyPolicy (docs/patterns/03-circuit-breaker.md); reads are retried once on UNAVAILABLE.
 */
import { type Client, type ClientUnaryCall, type CallOptions, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { callUnary } from '@shop/platform';
import { type DependencyPolicy } from '@shop/resilience';
import { withReadRetry } from './read-retry';

export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/**
 * There is no per-call deadline on purpose: every call runs with the upstream's deadline, the same as its policy's
 * timeout. A caller that wants an answer sooner (the dashboard) stops waiting for it instead: a call cut short at a
 * caller's own deadline would end in DEADLINE_EXCEEDED and count against the breaker that every other caller of the
 * upstream shares, although the upstream was answering within its timeout.
 */
export interface GrpcCallOptions {
  readonly requestId: string;
}

export class GrpcUpstream<C extends Client> {
  constructor(
    readonly name: string,
    readonly client: C,
    private readonly policy: DependencyPolicy,
    private readonly deadlineMs: number,
  ) {}

  /** An idempotent query: retried once when the upstream was not reachable. */
  read<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: GrpcCallOptions): Promise<Res> {
    return withReadRetry(() => this.attempt(method, request, options));
  }

  /** A command: one attempt (its idempotency comes from the request's own id, not from repeating it here). */
  write<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: GrpcCallOptions): Promise<Res> {
    return this.attempt(method, request, options);
  }

  close(): void {
    this.client.close();
  }

  private attempt<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, options: GrpcCallOptions): Promise<Res> {
    return this.policy.execute((signal) =>
      callUnary(this.name, this.client, method, request, {
        deadlineMs: this.deadlineMs,
        requestId: options.requestId,
        signal,
      }),
    );
  }
}
