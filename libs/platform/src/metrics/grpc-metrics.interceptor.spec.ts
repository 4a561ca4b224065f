import { RpcException } from '@nestjs/microservices';
import { DomainError } from '../errors/domain-error';
import { grpcStatusOf } from './grpc-metrics.interceptor';

describe('the status a gRPC handler ends with, for its metrics', () => {
  it('is the error table status of a domain error', () => {
    expect(grpcStatusOf(new DomainError('ORDER.NOT_FOUND', 'not_found', 'no such order'))).toBe('NOT_FOUND');
    expect(grpcStatusOf(new DomainError('PAYMENT.DOWN', 'unavailable', 'payment is down'))).toBe('UNAVAILABLE');
  });

  it('is the code of an RpcException or of a gRPC-shaped error, and INTERNAL for anything else', () => {
    expect(grpcStatusOf(new RpcException({ code: 3, message: 'bad' }))).toBe('INVALID_ARGUMENT');
    expect(grpcStatusOf({ code: 4, details: 'late' })).toBe('DEADLINE_EXCEEDED');
    expect(grpcStatusOf(new Error('bug'))).toBe('INTERNAL');
  });
});
