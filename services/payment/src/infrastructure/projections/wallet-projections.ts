import { OrderPaymentsProjection } from './order-payments.projection';
import { type Projection } from './projection';
import { WalletBalancesProjection } from './wallet-balances.projection';

/** Every read model fed by the wallet streams: updated on each append, rebuilt together by replay. */
export function walletProjections(): Projection[] {
  return [new WalletBalancesProjection(), new OrderPaymentsProjection()];
}
