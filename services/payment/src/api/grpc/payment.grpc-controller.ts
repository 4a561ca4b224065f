import { type Metadata } from '@grpc/grpc-js';
import { Controller } from '@nestjs/common';
import { Ctx, GrpcMethod, Payload } from '@nestjs/microservices';
import { paymentV1, WALLET_HISTORY_PAGE } from '@shop/contracts';
import { ZodPipe } from '@shop/platform';
import { z } from 'zod';
import { ChargePaymentHandler } from '../../application/commands/charge-payment.command';
import { DepositFundsHandler } from '../../application/commands/deposit-funds.command';
import { OpenWalletHandler } from '../../application/commands/open-wallet.command';
import { RefundPaymentHandler } from '../../application/commands/refund-payment.command';
import { type CommandContext } from '../../application/ports/event-store.port';
import { GetBalanceHandler } from '../../application/queries/get-balance.query';
import { GetHistoryHandler } from '../../application/queries/get-history.query';

/** Ids are UUIDs in any case; one spelling (lower case) inside, so the same order is always the same key. */
const id = z.guid().transform((value) => value.toLowerCase());
const cents = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** ISO-8601 instant with a zone (Z or an offset); empty means now. */
const instant = z.union([z.literal(''), z.iso.datetime({ offset: true })]).transform((value) => (value ? new Date(value) : undefined));

const openWalletRequest = z.strictObject({ userId: id });
const depositRequest = z.strictObject({ userId: id, amountCents: cents, depositId: id });
const chargeRequest = z.strictObject({ orderId: id, userId: id, amountCents: cents });
const refundRequest = z.strictObject({ orderId: id });
const getBalanceRequest = z.strictObject({ userId: id, at: instant });
const getHistoryRequest = z.strictObject({
  userId: id,
  afterVersion: z.number().int().min(0).optional(),
  limit: z.number().int().min(0).max(WALLET_HISTORY_PAGE.max).optional(),
});

/** shop.payment.v1.PaymentService: validates each request, runs its command or query, maps the result. */
@Controller()
export class PaymentGrpcController {
  constructor(
    private readonly openWallet: OpenWalletHandler,
    private readonly depositFunds: DepositFundsHandler,
    private readonly chargePayment: ChargePaymentHandler,
    private readonly refundPayment: RefundPaymentHandler,
    private readonly getBalance: GetBalanceHandler,
    private readonly getHistory: GetHistoryHandler,
  ) {}

  @GrpcMethod('PaymentService', 'OpenWallet')
  async open(
    @Payload(new ZodPipe(openWalletRequest, 'OpenWallet request')) request: z.infer<typeof openWalletRequest>,
    @Ctx() metadata: Metadata,
  ): Promise<paymentV1.OpenWalletResponse> {
    const result = await this.openWallet.execute({ ...request, ...contextOf(metadata) });
    return { userId: result.userId, balanceCents: result.balanceCents };
  }

  @GrpcMethod('PaymentService', 'Deposit')
  async deposit(
    @Payload(new ZodPipe(depositRequest, 'Deposit request')) request: z.infer<typeof depositRequest>,
    @Ctx() metadata: Metadata,
  ): Promise<paymentV1.DepositResponse> {
    const result = await this.depositFunds.execute({ ...request, ...contextOf(metadata) });
    return { balanceCents: result.balanceCents };
  }

  @GrpcMethod('PaymentService', 'Charge')
  async charge(
    @Payload(new ZodPipe(chargeRequest, 'Charge request')) request: z.infer<typeof chargeRequest>,
    @Ctx() metadata: Metadata,
  ): Promise<paymentV1.ChargeResponse> {
    const result = await this.chargePayment.execute({ ...request, ...contextOf(metadata) });
    return {
      orderId: result.orderId,
      status: result.status === 'CHARGED' ? paymentV1.ChargeStatus.CHARGE_STATUS_CHARGED : paymentV1.ChargeStatus.CHARGE_STATUS_DECLINED,
      balanceCents: result.balanceCents,
      declineReason: result.declineReason ?? '',
    };
  }

  @GrpcMethod('PaymentService', 'Refund')
  async refund(
    @Payload(new ZodPipe(refundRequest, 'Refund request')) request: z.infer<typeof refundRequest>,
    @Ctx() metadata: Metadata,
  ): Promise<paymentV1.RefundResponse> {
    const result = await this.refundPayment.execute({ ...request, ...contextOf(metadata) });
    return { orderId: result.orderId, refunded: result.refunded, amountCents: result.amountCents };
  }

  @GrpcMethod('PaymentService', 'GetBalance')
  async balance(
    @Payload(new ZodPipe(getBalanceRequest, 'GetBalance request')) request: z.infer<typeof getBalanceRequest>,
  ): Promise<paymentV1.GetBalanceResponse> {
    const result = await this.getBalance.execute(request.at ? { userId: request.userId, at: request.at } : { userId: request.userId });
    return { balanceCents: result.balanceCents, asOf: result.asOf.toISOString() };
  }

  @GrpcMethod('PaymentService', 'GetHistory')
  async history(
    @Payload(new ZodPipe(getHistoryRequest, 'GetHistory request')) request: z.infer<typeof getHistoryRequest>,
  ): Promise<paymentV1.GetHistoryResponse> {
    const { events, more } = await this.getHistory.execute(request);
    return {
      more,
      events: events.map((event) => ({
        version: event.version,
        type: event.type,
        occurredAt: event.occurredAt.toISOString(),
        dataJson: JSON.stringify(event.data),
      })),
    };
  }
}

/** The correlation and causation ids a caller sent in metadata (UUIDs only), to be stored on the events. */
function contextOf(metadata: Metadata | undefined): CommandContext {
  const read = (key: string): string | undefined => {
    const value = metadata?.get(key)[0];
    return typeof value === 'string' && z.guid().safeParse(value).success ? value : undefined;
  };
  const correlationId = read('x-correlation-id') ?? read('x-request-id');
  const causationId = read('x-causation-id');
  return { ...(correlationId ? { correlationId } : {}), ...(causationId ? { causationId } : {}) };
}
