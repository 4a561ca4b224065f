import { ESLint } from 'eslint';

// The architecture rules are only worth something if they fire: each case below is a deliberate violation.
describe('module boundary lint rules', () => {
  const eslint = new ESLint({ cwd: __dirname });

  async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.map((message) => message.ruleId ?? message.message);
  }

  it.each([
    ['NestJS', "import { Injectable } from '@nestjs/common';"],
    ['TypeORM', "import { Entity } from 'typeorm';"],
    ['a database driver', "import { Pool } from 'pg';"],
    ['Kafka', "import { Kafka } from 'kafkajs';"],
    ['RabbitMQ', "import { connect } from 'amqplib';"],
    ['gRPC', "import { credentials } from '@grpc/grpc-js';"],
    ['the whole platform library', "import { startService } from '@shop/platform';"],
    ['infrastructure code', "import { OrderRepository } from '../infrastructure/persistence/order.repository';"],
  ])('rejects %s in a domain/ folder', async (_what, code) => {
    expect(await ruleIdsFor(`${code}\nexport const x = 1;\n`, 'services/order/src/domain/order.ts')).toContain('no-restricted-imports');
  });

  it('lets a domain/ folder import the framework-free error types', async () => {
    const code = "import { DomainError } from '@shop/platform/errors';\nexport const e = DomainError;\n";
    expect(await ruleIdsFor(code, 'services/order/src/domain/order.ts')).toEqual([]);
  });

  it('rejects one service importing another service', async () => {
    const code = "import { PaymentModule } from '@shop/payment';\nexport const m = PaymentModule;\n";
    expect(await ruleIdsFor(code, 'services/order/src/order.module.ts')).toContain('@nx/enforce-module-boundaries');
  });

  it('rejects a relative import that reaches into another service', async () => {
    const code = "import { x } from '../../payment/src/payment.module';\nexport const y = x;\n";
    expect(await ruleIdsFor(code, 'services/order/src/order.module.ts')).toContain('@nx/enforce-module-boundaries');
  });

  it('lets a service import the shared libraries', async () => {
    const code = "import { startService } from '@shop/platform';\nimport { PROTO_ROOT } from '@shop/contracts';\nexport const a = [startService, PROTO_ROOT];\n";
    expect(await ruleIdsFor(code, 'services/order/src/main.ts')).toEqual([]);
  });
});
