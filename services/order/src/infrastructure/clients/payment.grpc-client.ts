/**
 * order -> payment over gRPC behind the payment breaker (docs/patterns/03-circuit-breaker.md). While the breaker is
 * open, calls fail in microseconds with DependencyUnavailableError; the saga backs off and retries until its deadline,
 * then compensates with PAYMENT_UNAVAILABLE.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { paymentV1 } from '@shop/contracts';
import { callUnary, createGrpcClient } from '@shop/platform';
import { DependencyPolicies, type DependencyPolicy } from '@shop/resilience';
import { ORDER_CONFIG, type OrderConfig } from '../../config/order.config';
import { type ChargeOutcome, PaymentPort } from '../../application/ports/payment.port';

@Injectable()
export class PaymentGrpcClient extends PaymentPort implements OnApplicationShutdown {
  private readonly client: paymentV1.PaymentServiceClient;
  private readonly policy: DependencyPolicy;

  constructor(@Inject(ORDER_CONFIG) config: OrderConfig, policies: DependencyPolicies) {
    super();
    this.client = createGrpcClient(paymentV1.PaymentServiceClient, config.PAYMENT_GRPC_ADDRESS);
    this.policy = policies.for('payment', {
      timeoutMs: config.ORDER_DEPENDENCY_TIMEOUT_MS,
      maxAttempts: 2,
      breakerThreshold: 5,
      halfOpenAfterMs: config.ORDER_BREAKER_HALF_OPEN_MS,
    });
  }

  async charge(orderId: string, userId: string, amountCents: number): Promise<ChargeOutcome> {
    const reply = await this.call(this.client.charge, { orderId, userId, amountCents });
    return reply.status === paymentV1.ChargeStatus.CHARGE_STATUS_CHARGED ? 'CHARGED' : 'DECLINED';
  }

  async refund(orderId: string): Promise<void> {
    await this.call(this.client.refund, { orderId });
  }

  onApplicationShutdown(): void {
    this.client.close();
  }

  private call<Req, Res>(method: Parameters<typeof callUnary<Req, Res>>[2], request: Req): Promise<Res> {
    return this.policy.execute((signal) => callUnary('payment', this.client, method, request, { deadlineMs: this.policy.options.timeoutMs, signal }));
  }
}
