import { InboxHandledAt1764330000000 } from '@shop/messaging';
import { Init1764280000000 } from './1764280000000-init.migration';
import { ShipmentDetails1764290000000 } from './1764290000000-shipment-details.migration';
import { Messaging1764290001000 } from './1764290001000-messaging.migration';

/** Every migration of the shipping service, in order. The schema comes only from these, never from `synchronize`. */
export const shippingMigrations = [Init1764280000000, ShipmentDetails1764290000000, Messaging1764290001000, InboxHandledAt1764330000000];
