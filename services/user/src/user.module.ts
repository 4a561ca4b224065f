import { type DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { type UserConfig } from './config/user.config';
import { userDatabase } from './infrastructure/persistence/database';

/** Wiring only: which adapters the user service is made of. */
@Module({})
export class UserModule {
  static register(config: UserConfig, logger: Logger): DynamicModule {
    return {
      module: UserModule,
      imports: [
        PlatformModule.forRoot({ service: 'user', logger }),
        DatabaseModule.forRoot(userDatabase(config.USER_DATABASE_URL)),
      ],
    };
  }
}
