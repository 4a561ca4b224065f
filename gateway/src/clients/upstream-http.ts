/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): requests are forwarded over a pooled keep-alive
 * undici connection pool per upstream (no connection set-up per request), each attempt under the upstream's
 * DependencyPolicy (deadline + breaker, docs/patterns/03-circuit-breaker.md), retried once only for reads.
 */
import { type Dispatcher, Pool } from 'undici';
import { DependencyTimeoutError, endSpan, startClientSpan } from '@shop/platform';
import { type DependencyPolicy } from '@shop/resilience';
import { withReadRetry } from './read-retry';
import { UpstreamServerError, UpstreamUnreachableError } from './upstream-errors';

/** What every forwarded call carries: the request id, and the caller's id only when a verified token gave one. */
export interface CallContext {
  readonly requestId: string;
  readonly userId?: string;
  readonly idempotencyKey?: string;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

export interface UpstreamHttpOptions {
  readonly name: string;
  readonly baseUrl: string;
  readonly policy: DependencyPolicy;
  /** Deadline of one attempt; also the pool's headers and body timeouts. */
  readonly timeoutMs: number;
  readonly connections?: number;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export class UpstreamHttp {
  private readonly pool: Pool;
  private readonly pathPrefix: string;
  private readonly url: URL;

  constructor(private readonly options: UpstreamHttpOptions) {
    const url = new URL(options.baseUrl);
    this.url = url;
    this.pathPrefix = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: options.connections ?? 128,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 2_000),
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** GET: idempotent, so a failure that never reached the upstream is retried once. */
  get(path: string, context: CallContext): Promise<UpstreamResponse> {
    return withReadRetry(() => this.attempt('GET', path, context, undefined));
  }

  /** POST with a JSON body: never retried here (a write that may have reached the upstream must not be repeated blindly). */
  post(path: string, body: unknown, context: CallContext): Promise<UpstreamResponse> {
    return this.attempt('POST', path, context, JSON.stringify(body));
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private attempt(method: 'GET' | 'POST', path: string, context: CallContext, body: string | undefined): Promise<UpstreamResponse> {
    return this.options.policy.execute((signal) => this.send(method, path, context, body, signal));
  }

  /**
   * One attempt. Uses undici's dispatch API directly: the response is collected into a Buffer without the
   * stream machinery of `request()`, which matters on the gateway's hot path. The policy's signal aborts the
   * attempt when its deadline passes.
   */
  private send(method: 'GET' | 'POST', path: string, context: CallContext, body: string | undefined, signal: AbortSignal): Promise<UpstreamResponse> {
    // An explicit allowlist: no client header (x-user-id, authorization, cookies...) is ever forwarded as is.
    const headers: Record<string, string> = { 'x-request-id': context.requestId, accept: 'application/json' };
    if (context.userId) headers['x-user-id'] = context.userId;
    if (context.idempotencyKey) headers['idempotency-key'] = context.idempotencyKey;
    if (body !== undefined) headers['content-type'] = 'application/json';
    // The call's client span; its traceparent (and the request id in the baggage) goes with the request, so the
    // service's server span continues the gateway's trace.
    const target = this.pathPrefix + path;
    const call = startClientSpan(method, () => ({
      'http.request.method': method,
      'server.address': this.url.hostname,
      'server.port': this.url.port ? Number(this.url.port) : this.url.protocol === 'https:' ? 443 : 80,
      'url.full': this.url.origin + target,
      'peer.service': this.options.name,
    }));
    Object.assign(headers, call.headers);
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let contentType: string | undefined;
      let onAbort: (() => void) | undefined;
      const done = (): void => {
        if (onAbort) signal.removeEventListener('abort', onAbort);
      };
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (controller) => {
          if (signal.aborted) return controller.abort(new Error('deadline passed'));
          onAbort = () => controller.abort(new Error('deadline passed'));
          signal.addEventListener('abort', onAbort, { once: true });
        },
        onResponseStart: (_controller, statusCode, responseHeaders) => {
          status = statusCode;
          if (call.span.isRecording()) call.span.setAttribute('http.response.status_code', statusCode);
          const type = responseHeaders['content-type'];
          contentType = Array.isArray(type) ? type[0] : type;
        },
        onResponseData: (_controller, chunk) => {
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          done();
          if (status >= 500) {
            const failure = new UpstreamServerError(this.options.name, status);
            endSpan(call.span, failure);
            reject(failure);
          } else {
            endSpan(call.span);
            resolve({ status, contentType, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
          }
        },
        onResponseError: (_controller, error) => {
          done();
          // Aborted by the policy's deadline: a timeout (504), not an unreachable upstream.
          const failure = signal.aborted ? new DependencyTimeoutError(this.options.name, this.options.timeoutMs) : this.failure(error);
          endSpan(call.span, failure);
          reject(failure);
        },
      };
      this.pool.dispatch({ method, path: target, headers, body }, handler);
    });
  }

  private failure(error: Error): Error {
    const code = (error as { code?: string }).code;
    if (code && TIMEOUT_CODES.has(code)) return new DependencyTimeoutError(this.options.name, this.options.timeoutMs);
    return new UpstreamUnreachableError(this.options.name, code ?? error.message);
  }
}
