import { type Envelope } from '../envelope';

export const PAYMENT_CHARGED_V1 = 'payment.charged.v1';
export interface PaymentChargedV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly amountCents: number;
}
export type PaymentChargedV1 = Envelope<typeof PAYMENT_CHARGED_V1, PaymentChargedV1Data>;

export const PAYMENT_DECLINED_V1 = 'payment.declined.v1';
export interface PaymentDeclinedV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly amountCents: number;
  readonly reason: string;
}
export type PaymentDeclinedV1 = Envelope<typeof PAYMENT_DECLINED_V1, PaymentDeclinedV1Data>;

export const PAYMENT_REFUNDED_V1 = 'payment.refunded.v1';
export interface PaymentRefundedV1Data {
  readonly orderId: string;
  readonly userId: string;
  readonly amountCents: number;
}
export type PaymentRefundedV1 = Envelope<typeof PAYMENT_REFUNDED_V1, PaymentRefundedV1Data>;
