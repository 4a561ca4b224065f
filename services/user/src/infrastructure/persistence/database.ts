import { type DatabaseOptions } from '@shop/platform';
import { userMigrations } from './migrations';
import { UserEntity } from './user.entity';

export const userDatabase = (url: string): DatabaseOptions => ({
  url,
  applicationName: 'user',
  migrations: userMigrations,
  entities: [UserEntity],
});
