import { type DatabaseOptions } from '@shop/platform';
import { paymentMigrations } from './migrations';

export const paymentDatabase = (url: string): DatabaseOptions => ({
  url,
  applicationName: 'payment',
  migrations: paymentMigrations,
});
