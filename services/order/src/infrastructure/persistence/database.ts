import { type DatabaseOptions } from '@shop/platform';
import { orderMigrations } from './migrations';

export const orderDatabase = (url: string): DatabaseOptions => ({
  url,
  applicationName: 'order',
  migrations: orderMigrations,
});
