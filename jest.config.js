// Three projects: unit specs beside the code, integration specs against real brokers and PostgreSQL,
// and end-to-end specs that drive the whole running system through the gateway.
// NestJS 12, cockatiel 4 and jose 6 are ESM-only: @swc/jest turns them (and our TypeScript) into CommonJS.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|cockatiel|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: {
    '^@shop/platform/errors$': '<rootDir>/libs/platform/src/errors/index.ts',
    '^@shop/(platform|contracts|messaging|resilience|testing)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  // Integration and end-to-end specs wait on real brokers; Jest reads the timeout only at the top level.
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/**/*.e2e-spec.ts'] },
  ],
};
