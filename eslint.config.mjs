import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

/** Imports a `domain/` folder may not make: no framework, ORM, driver, broker, gRPC or validation code. */
export const domainForbiddenImports = [
  { group: ['@nestjs/*', '@nestjs/**'], message: 'domain/ is plain TypeScript: no NestJS.' },
  { group: ['typeorm', 'typeorm/**', 'pg', 'pg/**'], message: 'domain/ is plain TypeScript: no ORM or database driver.' },
  { group: ['kafkajs', 'amqplib', 'amqplib/**'], message: 'domain/ is plain TypeScript: no broker client.' },
  { group: ['@grpc/*', '@bufbuild/*', '@shop/contracts'], message: 'domain/ is plain TypeScript: no gRPC or wire contracts.' },
  { group: ['@shop/messaging', '@shop/resilience'], message: 'domain/ is plain TypeScript: no messaging or resilience plumbing.' },
  { regex: '^@shop/platform(/(?!errors$).*)?$', message: 'domain/ may import only @shop/platform/errors.' },
  { group: ['zod', 'cockatiel', 'fastify', 'undici', 'rxjs'], message: 'domain/ is plain TypeScript: no framework libraries.' },
  { group: ['**/infrastructure/**', '**/api/**', '**/application/**'], message: 'domain/ depends on nothing outside domain/.' },
];

const boundaries = (testing) => [
  'error',
  {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', ...testing] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', ...testing] },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
    ],
  },
];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '.local/**', '.nx/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Services depend on each other only through libs/contracts; apps never import apps.
      '@nx/enforce-module-boundaries': boundaries([]),
    },
  },
  {
    // Specs may use the testing library; production code may not.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(['type:testing']) },
  },
  {
    files: ['**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: domainForbiddenImports }],
    },
  },
];
