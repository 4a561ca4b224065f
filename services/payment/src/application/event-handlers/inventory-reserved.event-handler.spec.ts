import { InMemoryPaymentPorts } from '../../../test/in-memory-ports';
import { ChargePaymentHandler } from '../commands/charge-payment.command';
import { DepositFundsHandler } from '../commands/deposit-funds.command';
import { WalletStore } from '../wallet-store';
import { chargeReservedOrder } from './inventory-reserved.event-handler';

const USER = 'a11ce000-0000-4000-8000-000000000001';
const ORDER = '0dde0000-0000-4000-8000-000000000001';
const CAUSE = { correlationId: 'c0000000-0000-4000-8000-000000000001', causationId: 'ca000000-0000-4000-8000-000000000001' };

function setUp() {
  const ports = new InMemoryPaymentPorts();
  const wallets = new WalletStore(ports);
  return { ports, deposit: new DepositFundsHandler(wallets), charge: new ChargePaymentHandler(wallets, ports) };
}

describe('charging a reserved order (choreography)', () => {
  it('charges the order total of a choreographed order to the user\'s wallet, carrying the message as the cause', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 1_000 });

    const result = await chargeReservedOrder(app.charge, { orderId: ORDER, userId: USER, totalCents: 600, sagaStyle: 'choreography' }, CAUSE);

    expect(result).toEqual({ orderId: ORDER, status: 'CHARGED', amountCents: 600, balanceCents: 400 });
    const charged = app.ports.events.at(-1);
    expect([charged?.type, charged?.correlationId, charged?.causationId]).toEqual(['PaymentCharged', CAUSE.correlationId, CAUSE.causationId]);
  });

  it('declines an order above the balance, as the gRPC Charge does', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 100 });

    const result = await chargeReservedOrder(app.charge, { orderId: ORDER, userId: USER, totalCents: 600, sagaStyle: 'choreography' }, CAUSE);

    expect(result).toMatchObject({ status: 'DECLINED', declineReason: 'INSUFFICIENT_FUNDS', balanceCents: 100 });
  });

  it('leaves an orchestrated order to the orchestrator and records nothing', async () => {
    const app = setUp();
    await app.deposit.execute({ userId: USER, depositId: 'd-1', amountCents: 1_000 });

    expect(await chargeReservedOrder(app.charge, { orderId: ORDER, userId: USER, totalCents: 600, sagaStyle: 'orchestration' }, CAUSE)).toBeUndefined();
    expect(app.ports.typesOf(USER)).toEqual(['WalletOpened', 'FundsDeposited']);
  });
});
