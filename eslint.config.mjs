import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (checked by `nx run-many -t lint`):
 * - libs/domain imports nothing of ours; libs/config only domain.
 * - only libs/data imports TypeORM; apps never import each other; the console only domain.
 * - nothing but libs/config reads process.env.
 * - production code never imports @oneapi/testing (fake upstreams, test databases): only specs and
 *   test harness folders (testing/, __tests__/, e2e/) do, and those stay out of dist/.
 */
const TEST_FILES = ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', '**/__tests__/**/*.ts', '**/e2e/**/*.ts', '**/testing/**/*.ts'];

const TYPEORM_ONLY_IN_DATA = { name: 'typeorm', message: 'Only libs/data talks to TypeORM; add a repository method there.' };
const NO_TEST_HELPERS = {
  name: '@oneapi/testing',
  message: 'Test helpers stay out of production code: import @oneapi/testing only from *.spec.ts, *.integration-spec.ts or a testing/ folder.',
};

const ALL_LIBS = ['type:domain', 'type:config', 'type:data', 'type:cache', 'type:providers', 'type:platform', 'type:jobs', 'type:testing'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.next', 'apps/console/next-env.d.ts', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:config', onlyDependOnLibsWithTags: ['type:domain'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:domain', 'type:config'] },
            { sourceTag: 'type:cache', onlyDependOnLibsWithTags: ['type:domain', 'type:config'] },
            { sourceTag: 'type:providers', onlyDependOnLibsWithTags: ['type:domain', 'type:config'] },
            { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:domain', 'type:config', 'type:data', 'type:cache'] },
            { sourceTag: 'type:jobs', onlyDependOnLibsWithTags: ['type:domain', 'type:config', 'type:data', 'type:cache', 'type:providers', 'type:platform'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:domain', 'type:config', 'type:data', 'type:cache', 'type:providers'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:config', 'type:data', 'type:cache', 'type:providers', 'type:platform', 'type:jobs'] },
            { sourceTag: 'type:web', onlyDependOnLibsWithTags: ['type:domain'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:domain', 'type:config', 'type:data'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['libs/data/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [TYPEORM_ONLY_IN_DATA], patterns: ['typeorm/*'] }],
    },
  },
  {
    // Also without Nx's project graph (a bare `eslint` run skips the boundaries rule).
    files: ['**/*.ts', '**/*.tsx'],
    ignores: [...TEST_FILES, 'libs/testing/**', 'libs/data/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [TYPEORM_ONLY_IN_DATA, NO_TEST_HELPERS], patterns: ['typeorm/*', '@oneapi/testing/*'] }],
    },
  },
  {
    files: ['libs/data/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': ['error', { paths: [NO_TEST_HELPERS], patterns: ['@oneapi/testing/*'] }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['libs/config/**', 'apps/console/next.config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through @oneapi/config.' }],
    },
  },
  {
    // Tests may use the test helpers (fake upstreams, databases) from any project and hand
    // environments to the processes they spawn; production code may not.
    files: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: '*', onlyDependOnLibsWithTags: ALL_LIBS },
          ],
        },
      ],
      'no-restricted-properties': 'off',
    },
  },
];
