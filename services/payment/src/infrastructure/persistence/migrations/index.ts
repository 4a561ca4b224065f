import { InboxHandledAt1764330000000 } from '@shop/messaging';
import { Init1764280000000 } from './1764280000000-init.migration';
import { DemoWallets1764290000000 } from './1764290000000-demo-wallets.migration';
import { Outbox1764300000000 } from './1764300000000-outbox.migration';

/** Every migration of the payment service, in order. The schema comes only from these, never from `synchronize`. */
export const paymentMigrations = [Init1764280000000, DemoWallets1764290000000, Outbox1764300000000, InboxHandledAt1764330000000];
