import { InboxHandledAt1764330000000 } from '@shop/messaging';
import { Init1764280000000 } from './1764280000000-init.migration';
import { Catalog1764290000000 } from './1764290000000-catalog.migration';
import { Reservations1764290001000 } from './1764290001000-reservations.migration';
import { Outbox1764300000000 } from './1764300000000-outbox.migration';
import { ProductsChanged1764310000000 } from './1764310000000-products-changed.migration';
import { ProductsChangedIds1764320000000 } from './1764320000000-products-changed-ids.migration';

/** Every migration of the inventory service, in order. The schema comes only from these, never from `synchronize`. */
export const inventoryMigrations = [
  Init1764280000000,
  Catalog1764290000000,
  Reservations1764290001000,
  Outbox1764300000000,
  ProductsChanged1764310000000,
  ProductsChangedIds1764320000000,
  InboxHandledAt1764330000000,
];
