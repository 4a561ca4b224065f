import { type DatabaseOptions } from '@shop/platform';
import { inventoryMigrations } from './migrations';

export const inventoryDatabase = (url: string): DatabaseOptions => ({
  url,
  applicationName: 'inventory',
  migrations: inventoryMigrations,
});
