import { type DatabaseOptions } from '@shop/platform';
import { shippingMigrations } from './migrations';

export const shippingDatabase = (url: string): DatabaseOptions => ({
  url,
  applicationName: 'shipping',
  migrations: shippingMigrations,
});
