export type ChargeOutcome = 'CHARGED' | 'DECLINED';

/** What order needs from payment. Charge and Refund are idempotent per order id. */
export abstract class PaymentPort {
  abstract charge(orderId: string, userId: string, amountCents: number): Promise<ChargeOutcome>;
  abstract refund(orderId: string): Promise<void>;
}
