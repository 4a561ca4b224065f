import { DependencyTimeoutError, DependencyUnavailableError, DomainError, GrpcCallError, GrpcStatus, toErrorBody } from '@shop/platform';
import { errorReply } from '../routes/error-reply';
import { clientErrorBody, UpstreamServerError, UpstreamUnreachableError, upstreamFailureCategory } from './upstream-errors';

describe('mapping of upstream answers', () => {
  it('passes an upstream client error through as is when it has the public shape', () => {
    const raw = Buffer.from(JSON.stringify({ statusCode: 409, error: 'Conflict', message: 'email already registered', code: 'USER.EMAIL_TAKEN' }));
    expect(clientErrorBody('user', 409, raw)).toEqual({ passthrough: true, raw });
  });

  it('gives an upstream client error without the public shape that shape, keeping its status', () => {
    expect(clientErrorBody('inventory', 404, 'Not here')).toEqual({
      passthrough: false,
      body: { statusCode: 404, error: 'Not Found', message: 'inventory rejected the request' },
    });
    expect(clientErrorBody('order', 405, '{"oops":true}')).toMatchObject({ body: { statusCode: 405, error: 'Method Not Allowed' } });
  });

  it('turns an upstream 500 into 503: the public API never answers a bare 500', () => {
    expect(upstreamFailureCategory(500)).toBe('unavailable');
    expect(errorReply(new UpstreamServerError('order', 500))).toMatchObject({
      statusCode: 503,
      body: { statusCode: 503, error: 'Service Unavailable', message: 'order is unavailable' },
    });
  });

  it('keeps an upstream 503 a 503 and an upstream 504 a 504', () => {
    expect(errorReply(new UpstreamServerError('order', 503)).statusCode).toBe(503);
    expect(errorReply(new UpstreamServerError('order', 504)).statusCode).toBe(504);
  });

  it('answers 503 for an unreachable upstream or an open breaker, and 504 for a deadline', () => {
    expect(errorReply(new UpstreamUnreachableError('user', 'ECONNREFUSED')).statusCode).toBe(503);
    expect(errorReply(new DependencyUnavailableError('user', 'circuit breaker is open')).statusCode).toBe(503);
    expect(errorReply(new DependencyTimeoutError('payment', 3000))).toMatchObject({ statusCode: 504, body: { error: 'Gateway Timeout' } });
  });

  it('maps gRPC statuses through the error table, and an INTERNAL from a dependency to 503', () => {
    expect(errorReply(new GrpcCallError(GrpcStatus.NOT_FOUND, 'payment', 'no wallet')).statusCode).toBe(404);
    expect(errorReply(new GrpcCallError(GrpcStatus.INVALID_ARGUMENT, 'payment', 'bad amount')).statusCode).toBe(400);
    expect(errorReply(new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'payment', 'late')).statusCode).toBe(504);
    expect(errorReply(new GrpcCallError(GrpcStatus.INTERNAL, 'payment', 'boom')).statusCode).toBe(503);
  });

  it('carries Retry-After for a rate-limited request', () => {
    const error = new DomainError('RATE_LIMITED', 'rate_limited', 'slow down', { retryAfterSeconds: 12 });
    expect(errorReply(error)).toMatchObject({ statusCode: 429, retryAfterSeconds: 12, body: { error: 'Too Many Requests' } });
  });

  it('answers a defect of the gateway itself with a JSON 500 that reveals nothing', () => {
    expect(errorReply(new TypeError('x is undefined')).body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
  });

  it('tells the client which dependency failed and nothing of what it said, which goes to the log only', () => {
    const refused = new GrpcCallError(GrpcStatus.UNAVAILABLE, 'payment', 'No connection established. Last error: Error: connect ECONNREFUSED 10.0.3.7:50054');
    expect(refused.message).toContain('10.0.3.7:50054');
    expect(errorReply(refused).body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'payment is unavailable', code: 'DEPENDENCY.UNAVAILABLE' });
    const reset = new GrpcCallError(GrpcStatus.INTERNAL, 'payment', 'Received RST_STREAM with code 2 (Internal server error) remote_addr=10.0.3.7:50054');
    expect(errorReply(reset).body).toMatchObject({ statusCode: 503, message: 'payment is unavailable' });
    expect(errorReply(new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, 'order', 'Deadline exceeded after 3.001s,remote_addr=10.0.2.9:50052')).body).toMatchObject({
      statusCode: 504,
      message: 'order did not answer in time',
    });
    expect(errorReply(new UpstreamUnreachableError('user', 'getaddrinfo ENOTFOUND user.shop.svc.cluster.local')).body).toMatchObject({ statusCode: 503, message: 'user is unavailable' });
    expect(errorReply(new UpstreamServerError('order', 504)).body).toMatchObject({ statusCode: 504, message: 'order did not answer in time' });
  });

  it('keeps the messages the policies and the database mapping build from fixed reasons', () => {
    expect(errorReply(new DependencyUnavailableError('order', 'circuit breaker is open')).body.message).toBe('order is unavailable: circuit breaker is open');
    expect(errorReply(new DependencyTimeoutError('payment', 3000)).body.message).toBe('payment did not answer within 3000 ms');
    const refusedDatabase = Object.assign(new Error('connect ECONNREFUSED 10.0.9.1:5432'), { code: 'ECONNREFUSED' });
    expect(toErrorBody(refusedDatabase)).toEqual({ statusCode: 503, error: 'Service Unavailable', code: 'DEPENDENCY.UNAVAILABLE', message: 'database is unavailable: try again shortly' });
  });

  it("gives a service's own callers the same generic messages through toErrorBody, every app's error filter", () => {
    expect(toErrorBody(new GrpcCallError(GrpcStatus.INTERNAL, 'payment', 'stack of a bug at 10.0.3.7'))).toMatchObject({ statusCode: 500, message: 'payment failed' });
    expect(toErrorBody(new GrpcCallError(GrpcStatus.UNAVAILABLE, 'inventory', 'connect ECONNREFUSED 10.0.4.2:50053'))).toMatchObject({ statusCode: 503, message: 'inventory is unavailable' });
    expect(toErrorBody(new DomainError('WALLET.EVENT_UNDECODABLE', 'internal', 'Cannot read a stored PaymentCharged event: amountCents'))).toMatchObject({
      statusCode: 500,
      message: 'Internal server error',
    });
    expect(toErrorBody(new GrpcCallError(GrpcStatus.NOT_FOUND, 'payment', 'no wallet for user 42'))).toMatchObject({ statusCode: 404, message: 'payment: no wallet for user 42' });
  });
});
