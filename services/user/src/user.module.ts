import { type DynamicModule, Module } from '@nestjs/common';
import { KafkaModule, OutboxModule } from '@shop/messaging';
import { DatabaseModule, PlatformModule, type Logger } from '@shop/platform';
import { DataSource } from 'typeorm';
import { UserGrpcController } from './api/grpc/user.grpc-controller';
import { SessionsHttpController } from './api/http/sessions.http-controller';
import { UsersHttpController } from './api/http/users.http-controller';
import { LogInHandler } from './application/commands/log-in.command';
import { RegisterUserHandler } from './application/commands/register-user.command';
import { systemClock } from './application/ports/clock.port';
import { GetUserHandler } from './application/queries/get-user.query';
import { type UserConfig } from './config/user.config';
import { Argon2PasswordHasher } from './infrastructure/crypto/argon2-password-hasher';
import { JoseTokenIssuer } from './infrastructure/crypto/jose-token-issuer';
import { userDatabase } from './infrastructure/persistence/database';
import { TypeOrmUnitOfWork, TypeOrmUserRepository } from './infrastructure/persistence/user.repository';

/** Wiring only: which adapters the user service is made of. */
@Module({})
export class UserModule {
  static register(config: UserConfig, logger: Logger): DynamicModule {
    const hasher = new Argon2PasswordHasher();
    const tokens = new JoseTokenIssuer({
      privateKey: config.jwtPrivateKey,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.USER_JWT_TTL_SECONDS,
    });
    return {
      module: UserModule,
      imports: [
        PlatformModule.forRoot({ service: 'user', logger }),
        DatabaseModule.forRoot(userDatabase(config.USER_DATABASE_URL)),
        KafkaModule.forRoot({ clientId: 'user', brokers: config.KAFKA_BROKERS }),
        // The relay publishes the outbox rows that registrations write (user.registered.v1).
        OutboxModule.forRoot({ service: 'user', kafka: true }),
      ],
      controllers: [UsersHttpController, SessionsHttpController, UserGrpcController],
      providers: [
        {
          provide: RegisterUserHandler,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new RegisterUserHandler(new TypeOrmUnitOfWork(dataSource), hasher, systemClock),
        },
        {
          provide: LogInHandler,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new LogInHandler(new TypeOrmUserRepository(dataSource), hasher, tokens),
        },
        {
          provide: GetUserHandler,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) => new GetUserHandler(new TypeOrmUserRepository(dataSource)),
        },
      ],
    };
  }
}
