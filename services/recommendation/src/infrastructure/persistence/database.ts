import { type DatabaseOptions } from '@shop/platform';
import { recommendationMigrations } from './migrations';

export const recommendationDatabase = (url: string): DatabaseOptions => ({
  url,
  applicationName: 'recommendation',
  migrations: recommendationMigrations,
});
