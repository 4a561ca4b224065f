import { type DatabaseOptions } from '@shop/platform';
import { userMigrations } from './migrations';

export const userDatabase = (url: string): DatabaseOptions => ({
  url,
  applicationName: 'user',
  migrations: userMigrations,
});
