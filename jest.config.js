/**
 * One Jest run for every server-side project. Unit specs (`*.spec.ts`) sit next to the code;
 * integration specs (`*.integration-spec.ts`) boot real services on SQLite, MariaDB and Redis.
 * SWC transpiles TypeScript (decorator metadata included); `npm run typecheck` type-checks.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const moduleNameMapper = {
  '^@oneapi/(cache|config|data|domain|jobs|platform|providers|testing)$': '<rootDir>/libs/$1/src/index.ts',
};

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc },
  // The OTLP exporter loads node:http with a dynamic import(), which Jest's VM refuses without
  // --experimental-vm-modules; SWC turns it into require(). jose ships ESM only (Node 20.19+
  // requires it natively; Jest's module system does not).
  transformIgnorePatterns: ['/node_modules/(?!(@opentelemetry/otlp-exporter-base|jose)/)'],
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/apps/console/.next/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
};

module.exports = {
  // Integration and browser suites boot real services; per-project testTimeout is not honoured.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'],
      // The console's pure helpers (apps/console/lib) have unit specs; its pages are tested in a browser (e2e).
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '<rootDir>/apps/console/(?!lib/)'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.integration-spec.ts'],
      testTimeout: 120000,
      slowTestThreshold: 30,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/console/e2e/**/*.e2e-spec.ts'],
      testTimeout: 180000,
    },
  ],
};
