import { Init1764280000000 } from './1764280000000-init.migration';

/** Every migration of the payment service, in order. The schema comes only from these, never from `synchronize`. */
export const paymentMigrations = [Init1764280000000];
